"""generator/highlight.py against plain Pygments: the same tokens and the same HTML.

Every Pygments lexer the combined path accepts lexes texts written for the tricky cases
(heredocs and raw strings with backreferences, nested states, `#pop`, `using(this)`,
`default()` rules, unmatched characters, the reset to "root" at a newline); the fences of
the rust-blog corpus (skipped when absent) and of a generated corpus; and random text.
Where plain Pygments raises, the accelerated lexer must raise the same error.
"""

from __future__ import annotations

import re
from pathlib import Path

import pygments
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer, RegexLexer, bygroups, default, include, this, using
from pygments.lexers import find_lexer_class_by_name, get_all_lexers, get_lexer_by_name
from pygments.token import Keyword, Name, Number, Punctuation, String, Text

from generator import markdown
from generator.content import read_source_text, split_front_matter
from generator.highlight import accelerate

FORMATTER = HtmlFormatter(nowrap=True)  # as generator/markdown.py's _FORMATTER

# Languages the combined path must accept (the ones blogs use most).
ACCEPTED = ["python", "rust", "bash", "javascript", "go", "sql", "toml", "html", "diff", "batch", "css"]

GENERIC_TEXTS = [
    "",
    "\n",
    "x",
    "\n\n  \n",
    "a\r\nb\rc\n",
    "\t\tindented\ttabs\n",
    'fn main() { let s = r#"a "quoted" b"#; println!("{s}"); }\n',
    'def f(x, *a, **k):\n    return f"{x!r:>{10}} {{}}" + r"\\d" + b"\\x00"\n',
    "cat <<EOF\n$HOME ${x:-y} $(date)\nEOF\necho 'done' # comment\n",
    '<div class="a"><script>let t = `a ${b} c`;</script><style>p { color: red }</style></div>\n',
    "SELECT a, 'it''s' FROM t WHERE b = 1; -- note\n",
    "/* unclosed comment\nstill inside\n",
    '"unclosed string\nnext line\n',
    "@@ -1,2 +1,3 @@\n-old\n+new\n unchanged\n",
    "\x00\x01\x7f \u00e9\u4e2d\u6587 \U0001f600 \ufeff \u2028 $ ` ~ ^ \\\n",
    "}}}] ) ) end fi done esac ]] #pop\n" * 3,
    "x" * 300 + "\n" + "(" * 50 + ")" * 50 + "\n",
]

# Per language: texts aimed at its backreference rules, nested states and callbacks.
TRICKY_TEXTS = {
    "bash": [
        "cat <<-'END'\n\tliteral $x\n\tEND\ncat << \"Q\"\n$y\nQ\n",
        "a=$(( (1 + 2) * $b ))\nif [[ -n ${x#*/} ]]; then echo `date`; fi\ncase $a in\n  x) ;;\nesac\n",
        'echo "unterminated $(ls "$d\n',
    ],
    "rust": [
        'let a = r##"x "# y"##; let b = b\'\\n\'; let c = br"raw";\n',
        "/* outer /* inner */ still */ fn f<'a>(x: &'a str) -> impl Fn() {}\n",
        "#[derive(Debug)]\nstruct S<T: ?Sized> { x: T }\nmacro_rules! m { ($e:expr) => { $e }; }\n",
        'let s = r#"never closed\n',
    ],
    "python": [
        'x = f"{a!r:{w}.{p}} {f"{nested}"} {{literal}}"\ny = rb"\\d" + Rb"""\nmulti\n"""\n',
        "@decorator(1)\nclass A(B, metaclass=M):\n    def __init__(self): ...\n",
        "match p:\n    case [x, *_] if x > 0:\n        pass\nlambda: (yield from g)\n",
        "x = 1 \\\n  + 2\n$ ? !\n",
        "from . import (a as b,\n  c)\nimport os.path as p\n",
    ],
    "javascript": [
        "const r = /a[/]b\\/c/gi; const t = `x ${`y ${z}`} w`;\n",
        "class A extends B { #p = 1; static async *g() { yield* x?.y ?? 0n; } }\n",
    ],
    "html": [
        '<!DOCTYPE html><html><head><script type="text/javascript">if (a < b) {}</script></head>\n<!-- c --><p a=b c="d">x &amp; y</p><br/><unclosed\n',
    ],
    "batch": [
        '@echo off\nif "%1"=="" (echo none) else (echo %1)\nfor %%i in (*.txt) do echo %%i\nset /a x=1+2\n',
    ],
    "lua": [
        "local s = [==[ long ]] string ]==]\n--[[ block\ncomment ]]\nprint(s)\n",
    ],
    "sql": [
        "CREATE TABLE t (id INT PRIMARY KEY); INSERT INTO t VALUES (1), (2);\n$$ body $$ /* c */\n",
    ],
    "go": [
        "package main\nimport \"fmt\"\nfunc main() { s := `raw\nstring`; fmt.Println(s, 'r', 0x1F, 1e3) }\n",
    ],
    "toml": [
        '[table]\nkey = "v"\n"quoted key" = [1, 2.5, true]\n[[array]]\ndate = 1979-05-27T07:32:00Z\n',
    ],
    "perl": [
        'print <<"END";\n$x\nEND\nmy $r = qr{a(b)c}x; $s =~ s/a/b/g;\n',
    ],
}


def outcome(lexer: Lexer, text: str) -> list | tuple:
    """The token stream, or the error raised (type and message)."""
    try:
        return list(lexer.get_tokens(text))
    except Exception as error:
        return ("raised", type(error).__name__, str(error))


def assert_same(alias: str, text: str) -> None:
    plain = get_lexer_by_name(alias, stripnl=False)
    fast = accelerate(get_lexer_by_name(alias, stripnl=False))
    expected = outcome(plain, text)
    assert outcome(fast, text) == expected, (alias, text)
    if isinstance(expected, list):
        assert pygments.highlight(text, fast, FORMATTER) == pygments.highlight(text, plain, FORMATTER), (alias, text)


def is_accelerated(lexer: Lexer) -> bool:
    return "get_tokens_unprocessed" in lexer.__dict__


def accepted_aliases() -> list[str]:
    aliases = []
    for _name, names, _files, _mimes in get_all_lexers():
        if names and is_accelerated(accelerate(find_lexer_class_by_name(names[0])())):
            aliases.append(names[0])
    return aliases


ACCEPTED_ALIASES = accepted_aliases()


def test_the_common_languages_are_accepted():
    assert set(ACCEPTED) <= set(ACCEPTED_ALIASES)
    assert len(ACCEPTED_ALIASES) > 300  # of Pygments' ~600 lexers


@pytest.mark.parametrize("alias", ["yaml", "c", "console", "json", "ruby", "csharp", "php"])
def test_other_lexers_keep_pygments_own_path(alias):
    # ExtendedRegexLexer (yaml, ruby), their own get_tokens_unprocessed (c, console, json,
    # php), rules built per instance (csharp's token_variants): left unchanged.
    lexer = get_lexer_by_name(alias)
    assert accelerate(lexer) is lexer
    assert not is_accelerated(lexer)


@pytest.mark.parametrize("alias", ACCEPTED_ALIASES)
def test_every_accepted_lexer_same_tokens_and_html(alias):
    for text in GENERIC_TEXTS + TRICKY_TEXTS.get(alias, []):
        assert_same(alias, text)


@pytest.mark.parametrize("alias", sorted(TRICKY_TEXTS))
def test_tricky_texts_take_the_combined_path(alias):
    if alias in ACCEPTED:
        assert is_accelerated(accelerate(get_lexer_by_name(alias)))
    for text in TRICKY_TEXTS[alias]:
        assert_same(alias, text)


def fences(posts: Path) -> list[tuple[str, str]]:
    """(language, code) of every fence with a language Pygments knows, as the build sees them."""
    parser = MarkdownIt("commonmark")
    found = []
    for path in sorted(posts.rglob("*.md")):
        _meta, _lines, body, _line = split_front_matter(read_source_text(path), path)
        for token in parser.parse(body):
            language = markdown._fence_language(token.info).lower() if token.type == "fence" else ""
            if language and markdown._lexer(language) is not None:
                found.append((language, token.content))
    return found


def check_fences(posts: Path) -> None:
    blocks = fences(posts)
    accelerated = 0
    for language, code in blocks:
        lexer = markdown._lexer(language)
        assert lexer is not None
        accelerated += is_accelerated(lexer)
        plain = get_lexer_by_name(language, stripnl=False)
        assert outcome(lexer, code) == outcome(plain, code), (language, code[:200])
        assert markdown._highlight(code, language) == pygments.highlight(code, plain, FORMATTER), (language, code[:200])
    assert accelerated > len(blocks) // 2, (accelerated, len(blocks))


def test_real_corpus_fences(real_corpus):
    check_fences(real_corpus / "posts")


def test_generated_corpus_fences(corpus):
    check_fences(corpus(400) / "posts")


CODE_ALPHABET = st.sampled_from(
    list("abcfnrxyzEOF019_ \t\n\r\"'`#$%&()*+,-./:;<=>?@[\\]^{|}~")
    + ["\u00e9", "\u4e2d", "\x00", "<<EOF", 'r#"', '"#', 'f"{', "/*", "*/", "<!--", "${"]
)
PROPERTY_LANGUAGES = ["python", "rust", "bash", "javascript", "go", "sql", "toml", "html", "batch", "lua", "perl", "css", "diff"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PROPERTY_LANGUAGES), st.lists(CODE_ALPHABET, max_size=80).map("".join))
def test_random_text_same_tokens(alias, text):
    assert_same(alias, text)


# A lexer with a buggy callback, a using(this) and a default() rule, for the error path.
def _failing(lexer, match):
    if match.group() == "boom":
        raise ValueError("lexer bug")
    yield match.start(), Name, match.group()


class BuggyLexer(RegexLexer):
    name = "Buggy"
    tokens = {
        "root": [
            (r"\(", Punctuation, "inner"),
            (r"[a-z]+", _failing),
            (r"(\d+)(\.)(\d+)", bygroups(Number, Punctuation, Number)),
            (r"<([^>]*)>", bygroups(using(this, state="inner"))),
            (r"\s+", Text),
        ],
        "inner": [
            include("strings"),
            (r"\)", Punctuation, "#pop"),
            (r"(\w)(\w)", bygroups(Keyword, None)),
            default("#pop"),
        ],
        "strings": [(r"'(.)\1'", String)],  # a backreference: tried alone
    }


def test_buggy_lexer_raises_the_same_and_markdown_falls_back(monkeypatch):
    for text in ["ab (cd 'xx') 1.5 <(ef)>\n", "ok boom later\n", "(x\n", "(ab)boom\n"]:
        assert outcome(accelerate(BuggyLexer(stripnl=False)), text) == outcome(BuggyLexer(stripnl=False), text)
    assert outcome(BuggyLexer(), "ok boom\n")[0] == "raised"
    fast = accelerate(BuggyLexer(stripnl=False))
    assert is_accelerated(fast)
    monkeypatch.setattr(markdown, "_lexer", lambda name: fast)
    assert markdown._highlight("a < boom\n", "buggy") == escapeHtml("a < boom\n")
    assert markdown._highlight("a 1.5\n", "buggy") == pygments.highlight("a 1.5\n", BuggyLexer(stripnl=False), FORMATTER)


def test_the_backreference_rule_is_tried_alone_in_its_place():
    from generator.highlight import _STATES

    accelerate(BuggyLexer()).get_tokens_unprocessed("(x)")
    list(accelerate(BuggyLexer()).get_tokens("(x)"))
    segments = _STATES[BuggyLexer]["inner"]
    # 'strings' (alone), then the other three rules joined into one alternation.
    assert len(segments) == 2
    assert segments[0][2] is not None and segments[1][2] is None
    assert re.search(r"\\1", segments[0][0].__self__.pattern)
