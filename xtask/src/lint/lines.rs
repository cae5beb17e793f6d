//! Counts code lines: lines that hold something other than whitespace and comments.
//!
//! Line (`//`, including doc) and nested block (`/* */`) comments are skipped; string, raw
//! string and char literals are tracked so that comment markers inside them are not mistaken
//! for comments, and every line a multi-line string spans counts as code.

/// Scanner state carried from one line to the next.
#[derive(Clone, Copy)]
enum State {
    Code,
    Block(usize),
    Str,
    RawStr(usize),
}

/// Number of code lines in the Rust source `src`.
pub fn code_lines(src: &str) -> usize {
    let mut state = State::Code;
    let mut count = 0;
    for line in src.lines() {
        let c: Vec<char> = line.chars().collect();
        let mut code = matches!(state, State::Str | State::RawStr(_));
        let mut i = 0;
        while i < c.len() {
            let next = c.get(i + 1).copied();
            match state {
                State::Block(depth) => match (c[i], next) {
                    ('/', Some('*')) => (state, i) = (State::Block(depth + 1), i + 1),
                    ('*', Some('/')) if depth == 1 => (state, i) = (State::Code, i + 1),
                    ('*', Some('/')) => (state, i) = (State::Block(depth - 1), i + 1),
                    _ => {}
                },
                State::Str => match c[i] {
                    '\\' => i += 1,
                    '"' => state = State::Code,
                    _ => {}
                },
                State::RawStr(hashes) => {
                    if c[i] == '"' && c[i + 1..].iter().take_while(|&&h| h == '#').count() >= hashes
                    {
                        (state, i) = (State::Code, i + hashes);
                    }
                }
                State::Code => match (c[i], next) {
                    ('/', Some('/')) => break,
                    ('/', Some('*')) => (state, i) = (State::Block(1), i + 1),
                    (ch, _) if ch.is_whitespace() => {}
                    ('"', _) => (state, code) = (State::Str, true),
                    ('r', _) if raw_string_start(&c, i).is_some() => {
                        let hashes = raw_string_start(&c, i).unwrap_or(0);
                        (state, code, i) = (State::RawStr(hashes), true, i + hashes + 1);
                    }
                    ('\'', Some('\\')) => {
                        code = true;
                        i += 3;
                        while i < c.len() && c[i] != '\'' {
                            i += 1;
                        }
                    }
                    ('\'', Some(_)) if c.get(i + 2) == Some(&'\'') => (code, i) = (true, i + 2),
                    _ => code = true,
                },
            }
            i += 1;
        }
        count += usize::from(code);
    }
    count
}

/// If a raw string literal (`r"`, `r#"`, also after `b`/`c`) starts at `c[i] == 'r'`, its `#` count.
fn raw_string_start(c: &[char], i: usize) -> Option<usize> {
    let ident = |k: usize| {
        c.get(k)
            .is_some_and(|ch| ch.is_alphanumeric() || *ch == '_')
    };
    let prefixed = i > 0 && matches!(c[i - 1], 'b' | 'c') && (i < 2 || !ident(i - 2));
    if i > 0 && ident(i - 1) && !prefixed {
        return None;
    }
    let hashes = c[i + 1..].iter().take_while(|&&h| h == '#').count();
    (c.get(i + 1 + hashes) == Some(&'"')).then_some(hashes)
}

/// Counts the code lines of GNU-style assembly: lines that are not blank and not only a `#`
/// comment (the comment character of both our assemblers; we use no preprocessor).
pub fn asm_lines(src: &str) -> usize {
    src.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .count()
}

#[cfg(test)]
mod asm_tests {
    #[test]
    fn asm_comments_and_blanks_do_not_count() {
        let src = "# header\n\n    mov eax, 1   # one\n    # only a comment\n.rept 4\n";
        assert_eq!(super::asm_lines(src), 2);
    }
}
