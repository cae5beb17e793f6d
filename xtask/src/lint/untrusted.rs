//! Constructs an untrusted crate must not contain: `unsafe` in any form, inline or global
//! assembly, `extern` blocks and attributes that control linkage or placement.

use proc_macro2::{Delimiter, Ident, Span, TokenStream, TokenTree};
use syn::visit::{self, Visit};

/// Assembly macros, matched on the last path segment.
const ASM_MACROS: &[&str] = &["asm", "global_asm", "naked_asm"];
/// Attributes that export symbols or place code and data, also inside `#[unsafe(...)]`.
const LINK_ATTRS: &[&str] = &["no_mangle", "export_name", "link_section", "used", "naked"];

/// Every forbidden construct of `file`, as (line, description).
pub fn check(file: &syn::File) -> Vec<(usize, String)> {
    let mut v = Finder(Vec::new());
    v.visit_file(file);
    v.0
}

struct Finder(Vec<(usize, String)>);

impl Finder {
    fn found(&mut self, span: Span, what: impl Into<String>) {
        self.0.push((span.start().line, what.into()));
    }

    /// Scans macro or verbatim tokens, which syn does not parse, for the same constructs.
    fn scan(&mut self, tokens: TokenStream) {
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        for (i, t) in tokens.iter().enumerate() {
            let next = tokens.get(i + 1);
            match t {
                TokenTree::Ident(id) if id == "unsafe" => {
                    self.found(id.span(), "`unsafe` in macro tokens")
                }
                TokenTree::Ident(id) if ASM_MACROS.iter().any(|m| id == m) => {
                    if matches!(next, Some(TokenTree::Punct(p)) if p.as_char() == '!') {
                        self.found(id.span(), format!("`{id}!`"));
                    }
                }
                TokenTree::Punct(p) if p.as_char() == '#' => {
                    let group = match (next, tokens.get(i + 2)) {
                        (Some(TokenTree::Group(g)), _) => Some(g),
                        (Some(TokenTree::Punct(b)), Some(TokenTree::Group(g)))
                            if b.as_char() == '!' =>
                        {
                            Some(g)
                        }
                        _ => None,
                    };
                    if let Some(g) = group.filter(|g| g.delimiter() == Delimiter::Bracket) {
                        let mut attr = g.stream().into_iter();
                        if let Some(TokenTree::Ident(name)) = attr.next() {
                            let inner = match attr.next() {
                                Some(TokenTree::Group(g)) => Some(g.stream()),
                                _ => None,
                            };
                            self.link_attr(&name, inner);
                        }
                    }
                }
                TokenTree::Group(g) => self.scan(g.stream()),
                _ => {}
            }
        }
    }

    /// Reports the attribute `#[name(inner)]` if it is a linkage one, also when wrapped in
    /// `#[unsafe(...)]` or `#[cfg_attr(...)]`.
    fn link_attr(&mut self, name: &Ident, inner: Option<TokenStream>) {
        if LINK_ATTRS.iter().any(|a| name == a) {
            self.found(name.span(), format!("`#[{name}]` attribute"));
        } else if let Some(inner) = inner.filter(|_| name == "unsafe" || name == "cfg_attr") {
            self.wrapped_link_attrs(name, inner);
        }
    }

    fn wrapped_link_attrs(&mut self, wrapper: &Ident, tokens: TokenStream) {
        for t in tokens {
            match t {
                TokenTree::Ident(i) if LINK_ATTRS.iter().any(|a| i == a) => {
                    self.found(i.span(), format!("`#[{wrapper}({i})]` attribute"));
                }
                TokenTree::Group(g) => self.wrapped_link_attrs(wrapper, g.stream()),
                _ => {}
            }
        }
    }
}

impl<'ast> Visit<'ast> for Finder {
    fn visit_expr_unsafe(&mut self, e: &'ast syn::ExprUnsafe) {
        self.found(e.unsafe_token.span, "unsafe block");
        visit::visit_expr_unsafe(self, e);
    }

    fn visit_signature(&mut self, s: &'ast syn::Signature) {
        if let Some(u) = &s.unsafety {
            self.found(u.span, "unsafe fn");
        }
        visit::visit_signature(self, s);
    }

    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        if let Some(u) = &i.unsafety {
            self.found(u.span, "unsafe impl");
        }
        visit::visit_item_impl(self, i);
    }

    fn visit_item_trait(&mut self, i: &'ast syn::ItemTrait) {
        if let Some(u) = &i.unsafety {
            self.found(u.span, "unsafe trait");
        }
        visit::visit_item_trait(self, i);
    }

    fn visit_item_foreign_mod(&mut self, i: &'ast syn::ItemForeignMod) {
        self.found(i.abi.extern_token.span, "extern block");
        visit::visit_item_foreign_mod(self, i);
    }

    fn visit_item(&mut self, i: &'ast syn::Item) {
        if let syn::Item::Verbatim(tokens) = i {
            self.scan(tokens.clone());
        }
        visit::visit_item(self, i);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        if let Some(last) = m.path.segments.last()
            && ASM_MACROS.iter().any(|a| last.ident == a)
        {
            self.found(last.ident.span(), format!("`{}!`", last.ident));
        }
        self.scan(m.tokens.clone());
        visit::visit_macro(self, m);
    }

    fn visit_attribute(&mut self, a: &'ast syn::Attribute) {
        let (path, inner) = match &a.meta {
            syn::Meta::Path(p) => (p, None),
            syn::Meta::List(l) => (&l.path, Some(l.tokens.clone())),
            syn::Meta::NameValue(nv) => (&nv.path, None),
        };
        if let Some(name) = path.segments.last() {
            self.link_attr(&name.ident, inner);
        }
        visit::visit_attribute(self, a);
    }
}
