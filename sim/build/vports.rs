//! Port list of a Verilog top module, read from the Verilog text (ANSI or non-ANSI headers), and
//! the same list read back from the C++ header Verilator generates, to cross-check both.
//!
//! Used by `build.rs` and by the crate's parser tests (`tests/vports.rs`), so it depends on `std`
//! only.

use std::fmt;

/// Direction of a top-level port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// Driven by the testbench.
    Input,
    /// Driven by the model.
    Output,
    /// Bidirectional (not supported by the shim, reported as an error).
    Inout,
}

impl fmt::Display for Dir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Dir::Input => "input",
            Dir::Output => "output",
            Dir::Inout => "inout",
        })
    }
}

/// One top-level port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Port {
    /// Verilog name.
    pub name: String,
    /// Direction.
    pub dir: Dir,
    /// Width in bits (`None` when the Verilog range is not a constant integer expression).
    pub width: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    Num(String),
    Punct(char),
}

fn strip_comments(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'/' && i + 1 < b.len() && b[i + 1] == b'/' {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i] == b'/' && i + 1 < b.len() && b[i + 1] == b'*' {
            i += 2;
            while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                i += 1;
            }
            i += 2;
            out.push(' ');
        } else if b[i] == b'('
            && i + 1 < b.len()
            && b[i + 1] == b'*'
            && !src[i..].starts_with("(*)")
        {
            // attribute instance `(* ... *)`
            i += 2;
            while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b')') {
                i += 1;
            }
            i += 2;
            out.push(' ');
        } else if b[i] == b'"' {
            // keep strings opaque
            out.push('"');
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            out.push('"');
            i += 1;
        } else {
            let c = src[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

fn tokenize(src: &str) -> Vec<Tok> {
    let mut toks = Vec::new();
    let chars: Vec<char> = src.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_alphabetic() || c == '_' || c == '$' {
            let s = i;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                i += 1;
            }
            toks.push(Tok::Ident(chars[s..i].iter().collect()));
        } else if c == '\\' {
            // escaped identifier: up to white space
            let s = i + 1;
            while i < chars.len() && !chars[i].is_whitespace() {
                i += 1;
            }
            toks.push(Tok::Ident(chars[s..i].iter().collect()));
        } else if c.is_ascii_digit() || c == '\'' {
            let s = i;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || chars[i] == '\'' || chars[i] == '_')
            {
                i += 1;
            }
            toks.push(Tok::Num(chars[s..i].iter().collect()));
        } else {
            toks.push(Tok::Punct(c));
            i += 1;
        }
    }
    toks
}

/// Value of a Verilog integer literal (`12`, `32'd7`, `8'hff`, `'b101`).
fn literal_value(s: &str) -> Option<i64> {
    let s: String = s.chars().filter(|&c| c != '_').collect();
    if let Some(p) = s.find('\'') {
        let rest = &s[p + 1..];
        let rest = rest.strip_prefix(['s', 'S']).unwrap_or(rest);
        let (radix, digits) = match rest.chars().next()? {
            'd' | 'D' => (10, &rest[1..]),
            'h' | 'H' => (16, &rest[1..]),
            'b' | 'B' => (2, &rest[1..]),
            'o' | 'O' => (8, &rest[1..]),
            _ => return None,
        };
        i64::from_str_radix(digits, radix).ok()
    } else {
        s.parse().ok()
    }
}

/// Evaluates a constant integer expression of literals, `+ - * /` and parentheses.
fn eval_const(toks: &[Tok]) -> Option<i64> {
    fn expr(t: &[Tok], i: &mut usize) -> Option<i64> {
        let mut v = term(t, i)?;
        while let Some(Tok::Punct(c @ ('+' | '-'))) = t.get(*i) {
            *i += 1;
            let r = term(t, i)?;
            v = if *c == '+' {
                v.checked_add(r)?
            } else {
                v.checked_sub(r)?
            };
        }
        Some(v)
    }
    fn term(t: &[Tok], i: &mut usize) -> Option<i64> {
        let mut v = atom(t, i)?;
        while let Some(Tok::Punct(c @ ('*' | '/'))) = t.get(*i) {
            *i += 1;
            let r = atom(t, i)?;
            v = if *c == '*' {
                v.checked_mul(r)?
            } else {
                v.checked_div(r)?
            };
        }
        Some(v)
    }
    fn atom(t: &[Tok], i: &mut usize) -> Option<i64> {
        match t.get(*i)? {
            Tok::Num(n) => {
                *i += 1;
                literal_value(n)
            }
            Tok::Punct('(') => {
                *i += 1;
                let v = expr(t, i)?;
                if t.get(*i) != Some(&Tok::Punct(')')) {
                    return None;
                }
                *i += 1;
                Some(v)
            }
            Tok::Punct('-') => {
                *i += 1;
                atom(t, i).map(|v| -v)
            }
            _ => None,
        }
    }
    let mut i = 0;
    let v = expr(toks, &mut i)?;
    (i == toks.len()).then_some(v)
}

/// Width of a `[msb:lsb]` range given as its inner tokens.
fn range_width(inner: &[Tok]) -> Option<u32> {
    let colon = inner.iter().position(|t| *t == Tok::Punct(':'))?;
    let msb = eval_const(&inner[..colon])?;
    let lsb = eval_const(&inner[colon + 1..])?;
    u32::try_from((msb - lsb).abs() + 1).ok()
}

const NET_KEYWORDS: &[&str] = &[
    "wire", "reg", "logic", "signed", "unsigned", "var", "tri", "wand", "wor", "supply0", "supply1",
];

fn dir_of(s: &str) -> Option<Dir> {
    match s {
        "input" => Some(Dir::Input),
        "output" => Some(Dir::Output),
        "inout" => Some(Dir::Inout),
        _ => None,
    }
}

/// Index just past the token that closes the bracket opened at `open`.
fn skip_balanced(t: &[Tok], open: usize) -> Result<usize, String> {
    let (o, c) = match t.get(open) {
        Some(Tok::Punct('(')) => ('(', ')'),
        Some(Tok::Punct('[')) => ('[', ']'),
        Some(Tok::Punct('{')) => ('{', '}'),
        _ => return Err("internal: not an opening bracket".into()),
    };
    let mut depth = 0usize;
    for (k, tok) in t.iter().enumerate().skip(open) {
        if *tok == Tok::Punct(o) {
            depth += 1;
        } else if *tok == Tok::Punct(c) {
            depth -= 1;
            if depth == 0 {
                return Ok(k + 1);
            }
        }
    }
    Err(format!("unbalanced `{o}`"))
}

/// Parses one declaration `[dir] {net keyword} [range] name {, name}` (tokens without the
/// terminating `;`). `carry` holds the direction and width of the previous ANSI item.
fn parse_decl(
    toks: &[Tok],
    carry: &mut Option<(Dir, Option<u32>)>,
    out: &mut Vec<Port>,
) -> Result<(), String> {
    let mut i = 0;
    let mut dir = None;
    let mut width = None;
    let mut explicit_type = false;
    if let Some(Tok::Ident(s)) = toks.first() {
        dir = dir_of(s);
        if dir.is_some() {
            i += 1;
        }
    }
    while let Some(Tok::Ident(s)) = toks.get(i) {
        if NET_KEYWORDS.contains(&s.as_str()) {
            explicit_type = true;
            i += 1;
        } else {
            break;
        }
    }
    if toks.get(i) == Some(&Tok::Punct('[')) {
        let end = skip_balanced(toks, i)?;
        width = range_width(&toks[i + 1..end - 1]);
        if width.is_none() {
            // a range we cannot evaluate: the width comes from the Verilated header
            width = Some(0);
        }
        explicit_type = true;
        i = end;
    }
    // `width` is None without a range, Some(0) for a range we cannot evaluate
    let (dir, width) = match (dir, *carry) {
        (Some(d), _) => (d, width.unwrap_or(1)),
        (None, Some((d, w))) if !explicit_type => (d, w.unwrap_or(0)),
        (None, Some((d, _))) => (d, width.unwrap_or(1)),
        (None, None) => return Err("port without a direction".into()),
    };
    let width = (width != 0).then_some(width);
    let mut expect_name = true;
    while i < toks.len() {
        match &toks[i] {
            Tok::Ident(n) if expect_name => {
                out.push(Port {
                    name: n.clone(),
                    dir,
                    width,
                });
                expect_name = false;
            }
            Tok::Punct(',') => expect_name = true,
            Tok::Punct('[') => {
                return Err(format!(
                    "unpacked array port near `{}`",
                    out.last().map_or("", |p| p.name.as_str())
                ));
            }
            Tok::Punct('=') => {
                // default value: skip to the next comma
                while i < toks.len() && toks[i] != Tok::Punct(',') {
                    i += 1;
                }
                continue;
            }
            other => return Err(format!("unexpected token {other:?} in a port declaration")),
        }
        i += 1;
    }
    *carry = Some((dir, width));
    Ok(())
}

/// Reads the ports of module `top` from Verilog text, in declaration order.
pub fn parse_top_ports(src: &str, top: &str) -> Result<Vec<Port>, String> {
    let t = tokenize(&strip_comments(src));
    let mut i = 0;
    let start = loop {
        match t.get(i) {
            None => return Err(format!("module `{top}` not found")),
            Some(Tok::Ident(m))
                if (m == "module" || m == "macromodule")
                    && t.get(i + 1) == Some(&Tok::Ident(top.to_string())) =>
            {
                break i + 2;
            }
            _ => {}
        }
        i += 1;
    };
    let end = t[start..]
        .iter()
        .position(|x| *x == Tok::Ident("endmodule".into()))
        .map(|p| start + p)
        .ok_or_else(|| format!("module `{top}` has no endmodule"))?;
    let m = &t[start..end];
    let mut i = 0;
    if m.get(i) == Some(&Tok::Punct('#')) {
        i = skip_balanced(m, i + 1)?;
    }
    let mut header = Vec::new();
    let body_start = match m.get(i) {
        Some(Tok::Punct('(')) => {
            let close = skip_balanced(m, i)?;
            header.extend_from_slice(&m[i + 1..close - 1]);
            close
        }
        Some(Tok::Punct(';')) => i,
        _ => return Err(format!("module `{top}`: cannot read its header")),
    };
    if m.get(body_start) != Some(&Tok::Punct(';')) {
        return Err(format!("module `{top}`: `;` expected after the port list"));
    }
    let ansi = header
        .iter()
        .any(|x| matches!(x, Tok::Ident(s) if dir_of(s).is_some()));
    let mut ports = Vec::new();
    if ansi {
        let mut carry = None;
        let mut item = Vec::new();
        let mut depth = 0i32;
        for tok in header.iter().chain(std::iter::once(&Tok::Punct(','))) {
            match tok {
                Tok::Punct('(' | '[' | '{') => depth += 1,
                Tok::Punct(')' | ']' | '}') => depth -= 1,
                Tok::Punct(',') if depth == 0 => {
                    if !item.is_empty() {
                        parse_decl(&item, &mut carry, &mut ports)?;
                    }
                    item.clear();
                    continue;
                }
                _ => {}
            }
            item.push(tok.clone());
        }
    } else {
        let mut order = Vec::new();
        for tok in &header {
            match tok {
                Tok::Ident(n) => order.push(n.clone()),
                Tok::Punct(',') => {}
                other => {
                    return Err(format!(
                        "module `{top}`: unsupported port list item {other:?}"
                    ))
                }
            }
        }
        // top-level declarations of the body; skip function and task bodies
        let body = &m[body_start + 1..];
        let mut decls = Vec::new();
        let mut k = 0;
        let mut stmt_start = true;
        while k < body.len() {
            match &body[k] {
                Tok::Ident(s) if s == "function" || s == "task" => {
                    let closer = if s == "function" {
                        "endfunction"
                    } else {
                        "endtask"
                    };
                    while k < body.len() && body[k] != Tok::Ident(closer.into()) {
                        k += 1;
                    }
                    stmt_start = true;
                }
                Tok::Ident(s) if stmt_start && dir_of(s).is_some() => {
                    let e = body[k..]
                        .iter()
                        .position(|x| *x == Tok::Punct(';'))
                        .map(|p| k + p)
                        .ok_or("declaration without `;`")?;
                    let mut carry = None;
                    parse_decl(&body[k..e], &mut carry, &mut decls)?;
                    k = e;
                    stmt_start = true;
                }
                Tok::Punct(';') => stmt_start = true,
                Tok::Ident(s) if s == "begin" || s == "end" => stmt_start = true,
                _ => stmt_start = false,
            }
            k += 1;
        }
        for name in order {
            let p = decls
                .iter()
                .find(|p| p.name == name)
                .ok_or_else(|| format!("port `{name}` has no input/output declaration"))?;
            ports.push(p.clone());
        }
    }
    if let Some(p) = ports.iter().find(|p| p.dir == Dir::Inout) {
        return Err(format!("inout port `{}` is not supported", p.name));
    }
    Ok(ports)
}

/// A port as Verilator's C++ header declares it (`VL_IN8(&name,msb,lsb);`, `VL_OUTW(&name,msb,lsb,words);`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderPort {
    /// C++ member name.
    pub name: String,
    /// Direction.
    pub dir: Dir,
    /// Width in bits.
    pub width: u32,
}

/// Reads the port members of a Verilated model's header (`V<prefix>.h`).
pub fn parse_verilated_header(h: &str) -> Result<Vec<HeaderPort>, String> {
    let mut out = Vec::new();
    for line in h.lines() {
        let l = line.trim();
        let (dir, rest) = if let Some(r) = l.strip_prefix("VL_INOUT") {
            (Dir::Inout, r)
        } else if let Some(r) = l.strip_prefix("VL_IN") {
            (Dir::Input, r)
        } else if let Some(r) = l.strip_prefix("VL_OUT") {
            (Dir::Output, r)
        } else {
            continue;
        };
        let Some(open) = rest.find("(&") else {
            continue;
        };
        let Some(close) = rest.rfind(')') else {
            continue;
        };
        let args: Vec<&str> = rest[open + 2..close].split(',').map(str::trim).collect();
        if args.len() < 3 {
            return Err(format!("cannot read header line `{l}`"));
        }
        let msb: i64 = args[1]
            .parse()
            .map_err(|_| format!("cannot read header line `{l}`"))?;
        let lsb: i64 = args[2]
            .parse()
            .map_err(|_| format!("cannot read header line `{l}`"))?;
        out.push(HeaderPort {
            name: args[0].to_string(),
            dir,
            width: u32::try_from((msb - lsb).abs() + 1).map_err(|e| e.to_string())?,
        });
    }
    if out.is_empty() {
        return Err("no VL_IN/VL_OUT port in the Verilated header".into());
    }
    Ok(out)
}

/// Resolved port: name, direction and width agreed by the Verilog and the Verilated header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedPort {
    /// Name.
    pub name: String,
    /// Direction.
    pub dir: Dir,
    /// Width in bits.
    pub width: u32,
}

/// Checks the Verilog port list against the Verilated header; returns the ports in Verilog order.
pub fn cross_check(verilog: &[Port], header: &[HeaderPort]) -> Result<Vec<ResolvedPort>, String> {
    let mut out = Vec::new();
    for p in verilog {
        let h = header.iter().find(|h| h.name == p.name).ok_or_else(|| {
            format!(
                "port `{}` of the Verilog is not in the Verilated header",
                p.name
            )
        })?;
        if h.dir != p.dir {
            return Err(format!(
                "port `{}`: {} in the Verilog, {} in the Verilated header",
                p.name, p.dir, h.dir
            ));
        }
        if let Some(w) = p.width {
            if w != h.width {
                return Err(format!(
                    "port `{}`: {w} bits in the Verilog, {} in the Verilated header",
                    p.name, h.width
                ));
            }
        }
        out.push(ResolvedPort {
            name: p.name.clone(),
            dir: p.dir,
            width: h.width,
        });
    }
    if let Some(h) = header
        .iter()
        .find(|h| !verilog.iter().any(|p| p.name == h.name))
    {
        return Err(format!(
            "port `{}` of the Verilated header is not in the Verilog",
            h.name
        ));
    }
    Ok(out)
}
