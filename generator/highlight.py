"""Pygments' RegexLexer loop, faster, with the same tokens.

Pygments lexes with `RegexLexer.get_tokens_unprocessed`: at each position it tries the
current state's rules one after the other, one regex match call each in Python, until one
matches. Here a state's rules are joined into one alternation, `(?:r1)()|(?:r2)()|...`,
tried by a single match call: Python's alternation tries its alternatives in order and the
first that matches wins, as Pygments' loop does. The empty group closing each alternative
is the last group of the match to close, so `m.lastindex` names the rule that matched.
Everything after the match (actions, state changes, the Error token for an unmatched
character, the reset to "root" at a newline) is Pygments' own code, step for step.

A rule joins an alternation only if its regex means the same there: no backreferences or
named groups (their numbers and names would change), its flags carried as a scoped
`(?flags:...)`, and the whole run compiles. Other rules are tried alone, in their place.
A callback gets the rule's own match (its regex run again at that position), as Pygments
gives it; `bygroups` of plain token types is done here, from the combined match's groups.

`accelerate(lexer)` replaces the instance's `get_tokens_unprocessed` only, so
`Lexer.get_tokens` (input preprocessing, filters) and `using(this)` still go through it.
A lexer of another kind (ExtendedRegexLexer, a class with its own get_tokens_unprocessed,
per-instance token variants) is returned unchanged, on Pygments' own path.
tests/unit/test_highlight.py holds the tokens and the HTML equal to plain Pygments'.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from pygments.lexer import Lexer, RegexLexer, bygroups
from pygments.token import Error, Whitespace, _TokenType

# What Pygments keeps for a rule: (bound Pattern.match, action, new state).
Rule = tuple[Callable[..., Any], Any, Any]
# What the loop needs for a rule: (kind, action, new state, its own match or None).
Entry = tuple[int, Any, Any, Callable[..., Any] | None]
# A matcher and what its match means: the entry of each alternative by the index of the
# group closing it, or, for a rule tried alone, that rule's entry.
Segment = tuple[Callable[..., Any], Sequence[Entry | None], Entry | None]
TokenStream = Iterator[tuple[int, Any, str]]

# Entry kinds.
_TOKEN = 0  # yield the whole match as the action's token type
_NOTHING = 1  # action None: consume the text, yield nothing
_GROUPS = 2  # bygroups of token types: action is ((group index, token type), ...)
_CALLBACK = 3  # any other callable: called with the rule's own match

_LEADING_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")
# Backreferences, conditionals and named backreferences; a false positive (`\\1`, an octal
# escape in a class) only leaves the rule alone.
_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")
_FLAG_LETTERS = ((re.ASCII, "a"), (re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s"), (re.VERBOSE, "x"))
_BYGROUPS_CODE = bygroups().__code__

# Combined states of each lexer class, built state by state on first use.
_STATES: dict[type, _CombinedStates] = {}


def accelerate(lexer: Lexer) -> Lexer:
    """`lexer`, lexing with combined regexes when its class allows it (same tokens)."""
    states = _combined_states(lexer)
    if states is not None:
        lexer.get_tokens_unprocessed = _token_loop(lexer, states)
    return lexer


def _combined_states(lexer: Lexer) -> _CombinedStates | None:
    cls = type(lexer)
    states = _STATES.get(cls)
    if states is None:
        if not _uses_plain_loop(lexer):
            return None
        states = _STATES.setdefault(cls, _CombinedStates(cls.__dict__["_tokens"]))
    return states if lexer._tokens is states.tokendefs else None


def _uses_plain_loop(lexer: Lexer) -> bool:
    """Whether the lexer's tokens come from RegexLexer's own loop over class-wide rules."""
    cls = type(lexer)
    return (
        isinstance(lexer, RegexLexer)
        and cls.get_tokens_unprocessed is RegexLexer.get_tokens_unprocessed
        and "get_tokens_unprocessed" not in lexer.__dict__
        # token_variants lexers build their rules per instance, from its options
        and "_tokens" in cls.__dict__
        and lexer._tokens is cls.__dict__["_tokens"]
    )


class _CombinedStates(dict[str, tuple[Segment, ...]]):
    """State name -> its segments, each state combined when first looked up. A race
    between threads combines a state twice, to equal values."""

    def __init__(self, tokendefs: dict[str, list[Rule]]) -> None:
        super().__init__()
        self.tokendefs = tokendefs

    def __missing__(self, state: str) -> tuple[Segment, ...]:
        rules = self.tokendefs[state]
        try:
            segments = _segments(rules)
        except Exception:  # an unforeseen rule: each tried alone is Pygments' loop exactly
            segments = tuple((rule[0], (), _entry(rule, 0, alone=True)) for rule in rules)
        self[state] = segments
        return segments


def _segments(rules: Sequence[Rule]) -> tuple[Segment, ...]:
    """The state's rules as matchers tried in order: runs of combinable rules joined."""
    segments: list[Segment] = []
    run: list[tuple[Rule, str, int]] = []
    for rule in rules:
        alternative = _alternative(rule)
        if alternative is None:
            segments.extend(_joined(run))
            run = []
            segments.append((rule[0], (), _entry(rule, 0, alone=True)))
        else:
            run.append((rule, *alternative))
    segments.extend(_joined(run))
    return tuple(segments)


def _alternative(rule: Rule) -> tuple[str, int] | None:
    """The rule's regex as one alternative (its text, its group count), or None."""
    pattern = getattr(rule[0], "__self__", None)
    if not isinstance(pattern, re.Pattern) or not isinstance(pattern.pattern, str):
        return None
    if pattern.groupindex or _BACKREFERENCE.search(pattern.pattern):
        return None
    source = pattern.pattern
    leading = _LEADING_FLAGS.match(source)
    if leading:  # global flags are in pattern.flags, written again as scoped flags below
        source = source[leading.end() :]
    letters = "".join(letter for flag, letter in _FLAG_LETTERS if pattern.flags & flag)
    if pattern.flags & re.VERBOSE:
        source += "\n"  # ends a trailing comment before the closing parenthesis
    return f"(?{letters}:{source})()" if letters else f"(?:{source})()", pattern.groups


def _joined(run: list[tuple[Rule, str, int]]) -> list[Segment]:
    """One segment for the run, or, if the alternation does not compile, the halves."""
    if not run:
        return []
    if len(run) == 1:
        rule = run[0][0]
        return [(rule[0], (), _entry(rule, 0, alone=True))]
    try:
        match = re.compile("|".join(source for _rule, source, _groups in run)).match
    except (re.error, RecursionError, OverflowError):
        return _joined(run[: len(run) // 2]) + _joined(run[len(run) // 2 :])
    entries: list[Entry | None] = [None]
    for rule, _source, groups in run:
        # The rule's groups come first (numbered from len(entries)), its closing group last.
        entries.extend([None] * groups)
        entries.append(_entry(rule, len(entries) - 1 - groups, alone=False))
    return [(match, tuple(entries), None)]


def _entry(rule: Rule, group_offset: int, *, alone: bool) -> Entry:
    rexmatch, action, new_state = rule
    if action is None:
        return (_NOTHING, None, new_state, None)
    if type(action) is _TokenType:
        return (_TOKEN, action, new_state, None)
    groups = _plain_bygroups(action, getattr(rexmatch, "__self__", None))
    if groups is not None:
        return (_GROUPS, tuple((group_offset + index, token) for index, token in groups), new_state, None)
    return (_CALLBACK, action, new_state, None if alone else rexmatch)


def _plain_bygroups(action: Any, pattern: Any) -> list[tuple[int, _TokenType]] | None:
    """(group number, token type) of a `bygroups(...)` callback whose arguments are all
    token types or None, else None (such a callback is called as it is)."""
    if getattr(action, "__code__", None) is not _BYGROUPS_CODE or not action.__closure__:
        return None
    arguments = action.__closure__[0].cell_contents
    if not isinstance(arguments, tuple) or any(a is not None and type(a) is not _TokenType for a in arguments):
        return None
    if not isinstance(pattern, re.Pattern) or len(arguments) > pattern.groups:
        return None  # Pygments raises IndexError for the missing group: so must we
    return [(index + 1, token) for index, token in enumerate(arguments) if token is not None]


def _token_loop(lexer: Lexer, states: _CombinedStates) -> Callable[..., TokenStream]:
    """RegexLexer.get_tokens_unprocessed for `lexer`, on the combined states."""

    def get_tokens_unprocessed(text: str, stack: Sequence[str] = ("root",)) -> TokenStream:
        pos = 0
        statestack = list(stack)
        segments = states[statestack[-1]]
        while True:
            for match, entries, alone in segments:
                m = match(text, pos)
                if m is not None:
                    kind, action, new_state, own_match = alone or entries[m.lastindex]
                    break
            else:
                # No rule matched: Pygments' own handling of the character.
                try:
                    if text[pos] == "\n":
                        # at EOL, reset state to "root"
                        statestack = ["root"]
                        segments = states["root"]
                        yield pos, Whitespace, "\n"
                        pos += 1
                        continue
                    yield pos, Error, text[pos]
                    pos += 1
                except IndexError:
                    break
                continue
            if kind == _TOKEN:
                yield pos, action, m.group()
            elif kind == _GROUPS:
                for group, token in action:
                    data = m.group(group)
                    if data:
                        yield m.start(group), token, data
            elif kind == _CALLBACK:
                yield from action(lexer, m if own_match is None else own_match(text, pos))
            pos = m.end()
            if new_state is not None:
                # state transition, as Pygments does it
                if isinstance(new_state, tuple):
                    for state in new_state:
                        if state == "#pop":
                            if len(statestack) > 1:
                                statestack.pop()
                        elif state == "#push":
                            statestack.append(statestack[-1])
                        else:
                            statestack.append(state)
                elif isinstance(new_state, int):
                    # pop, but keep at least one state on the stack
                    if abs(new_state) >= len(statestack):
                        del statestack[1:]
                    else:
                        del statestack[new_state:]
                elif new_state == "#push":
                    statestack.append(statestack[-1])
                else:
                    raise AssertionError(f"wrong state def: {new_state!r}")
                segments = states[statestack[-1]]

    return get_tokens_unprocessed
