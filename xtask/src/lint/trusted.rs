//! Documentation rules of trusted crates: a `// SAFETY:` comment on every `unsafe` block and
//! `unsafe impl`, a `# Safety` doc section on every `unsafe fn` (except in trait impls, whose
//! trait documents the contract); also counts `unsafe` blocks.

/// How many comment lines above an `unsafe` block may hold its `// SAFETY:` line.
const SAFETY_REACH: usize = 3;

use proc_macro2::{Delimiter, LineColumn, TokenStream, TokenTree};
use syn::spanned::Spanned;
use syn::visit::{self, Visit};

/// Undocumented `unsafe` constructs of `file` (whose text is `text`) as (line, description),
/// and the number of `unsafe` blocks, including those inside macro invocations.
pub fn check(file: &syn::File, text: &str) -> (Vec<(usize, String)>, usize) {
    let mut v = Checker {
        lines: text.lines().collect(),
        anchors: Vec::new(),
        in_trait_impl: false,
        found: Vec::new(),
        blocks: 0,
    };
    v.visit_file(file);
    (v.found, v.blocks)
}

struct Checker<'a> {
    lines: Vec<&'a str>,
    /// Start lines of the enclosing statements, items, match arms and struct fields: a comment
    /// above the innermost one also documents an `unsafe` block inside it.
    anchors: Vec<usize>,
    /// Whether the items being visited implement a trait, whose docs state their contract.
    in_trait_impl: bool,
    found: Vec<(usize, String)>,
    blocks: usize,
}

impl Checker<'_> {
    /// Counts the `unsafe` block whose keyword is at `at` and checks its comment.
    fn block(&mut self, at: LineColumn) {
        self.blocks += 1;
        let anchor = self.anchors.last().copied();
        if !self.commented(at) && !anchor.is_some_and(|line| self.commented_above(line)) {
            self.found.push((
                at.line,
                "unsafe block without a `// SAFETY:` comment".into(),
            ));
        }
    }

    /// Whether `SAFETY:` is in a comment before `at` on its line or just above it.
    fn commented(&self, at: LineColumn) -> bool {
        let line = self.lines.get(at.line - 1).copied().unwrap_or_default();
        let before: String = line.chars().take(at.column).collect();
        before.contains("SAFETY:") || self.commented_above(at.line)
    }

    /// Whether the `//` comment block above `line` (1-based), past blank and attribute lines,
    /// has a line starting with `SAFETY:` among its last [`SAFETY_REACH`] lines: the
    /// justification must sit just above the block, not at the top of a long comment.
    fn commented_above(&self, line: usize) -> bool {
        let mut in_comment = false;
        let mut comment_lines = 0;
        for text in self.lines[..line - 1].iter().rev().map(|l| l.trim()) {
            if let Some(comment) = text.strip_prefix("//") {
                in_comment = true;
                comment_lines += 1;
                if comment_lines > SAFETY_REACH {
                    return false;
                }
                if comment
                    .trim_start_matches(['/', '!'])
                    .trim_start()
                    .starts_with("SAFETY:")
                {
                    return true;
                }
            } else if text.starts_with("/*") && text.ends_with("*/") && text.contains("SAFETY:") {
                return true;
            } else if in_comment || !(text.is_empty() || text.starts_with("#[")) {
                return false;
            }
        }
        false
    }

    /// Checks that an `unsafe fn` has a `# Safety` section in its doc attributes.
    fn unsafe_fn(&mut self, attrs: &[syn::Attribute], sig: &syn::Signature) {
        let Some(u) = &sig.unsafety else { return };
        let documented = attrs.iter().filter(|a| a.path().is_ident("doc")).any(|a| {
            let syn::Meta::NameValue(nv) = &a.meta else {
                return false;
            };
            let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) = &nv.value
            else {
                return false;
            };
            s.value().lines().any(|l| l.trim() == "# Safety")
        });
        if !documented {
            let msg = format!("unsafe fn `{}` without a `# Safety` doc section", sig.ident);
            self.found.push((u.span.start().line, msg));
        }
    }

    /// Counts and checks `unsafe { ... }` inside macro tokens, which syn does not parse.
    fn scan(&mut self, tokens: TokenStream) {
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        for (i, t) in tokens.iter().enumerate() {
            match (t, tokens.get(i + 1)) {
                (TokenTree::Ident(id), Some(TokenTree::Group(g)))
                    if id == "unsafe" && g.delimiter() == Delimiter::Brace =>
                {
                    self.block(id.span().start());
                }
                (TokenTree::Group(g), _) => self.scan(g.stream()),
                _ => {}
            }
        }
    }

    fn anchored(&mut self, line: usize, walk: impl FnOnce(&mut Self)) {
        self.anchors.push(line);
        walk(self);
        self.anchors.pop();
    }
}

impl<'ast> Visit<'ast> for Checker<'_> {
    fn visit_expr_unsafe(&mut self, e: &'ast syn::ExprUnsafe) {
        self.block(e.unsafe_token.span.start());
        visit::visit_expr_unsafe(self, e);
    }

    fn visit_item_fn(&mut self, i: &'ast syn::ItemFn) {
        self.unsafe_fn(&i.attrs, &i.sig);
        visit::visit_item_fn(self, i);
    }

    fn visit_impl_item_fn(&mut self, i: &'ast syn::ImplItemFn) {
        if !self.in_trait_impl {
            self.unsafe_fn(&i.attrs, &i.sig);
        }
        visit::visit_impl_item_fn(self, i);
    }

    fn visit_trait_item_fn(&mut self, i: &'ast syn::TraitItemFn) {
        self.unsafe_fn(&i.attrs, &i.sig);
        visit::visit_trait_item_fn(self, i);
    }

    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        if let Some(u) = &i.unsafety
            && !self.commented(u.span.start())
        {
            let msg = "unsafe impl without a `// SAFETY:` comment".to_string();
            self.found.push((u.span.start().line, msg));
        }
        let outer = std::mem::replace(&mut self.in_trait_impl, i.trait_.is_some());
        visit::visit_item_impl(self, i);
        self.in_trait_impl = outer;
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        self.scan(m.tokens.clone());
        visit::visit_macro(self, m);
    }

    fn visit_stmt(&mut self, s: &'ast syn::Stmt) {
        self.anchored(s.span().start().line, |v| visit::visit_stmt(v, s));
    }

    fn visit_item(&mut self, i: &'ast syn::Item) {
        self.anchored(i.span().start().line, |v| visit::visit_item(v, i));
    }

    fn visit_impl_item(&mut self, i: &'ast syn::ImplItem) {
        self.anchored(i.span().start().line, |v| visit::visit_impl_item(v, i));
    }

    fn visit_arm(&mut self, a: &'ast syn::Arm) {
        self.anchored(a.span().start().line, |v| visit::visit_arm(v, a));
    }

    fn visit_field_value(&mut self, f: &'ast syn::FieldValue) {
        self.anchored(f.span().start().line, |v| visit::visit_field_value(v, f));
    }
}
