"""The CLI in the user's language, translated at display time.

- ``--lang ja|en`` is added to every command by ``localize`` (the root and each
  subcommand the lazy group hands out), so command modules declare nothing;
- the language is chosen once per invocation, before parsing (``choose``), so
  even a bad flag is reported in the user's language;
- ``--help`` goes through ``I18nFormatter``, which looks every help text up by its
  English text (``i18n.tr``); click's own words ("Usage:", "Options", its error
  messages) go through the same catalog via click's gettext hook.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import click

from ..i18n import LANGS, detect, tr, tr_lines
from ..messages import language, set_language

_EXTRA = re.compile(r"^(?P<head>.*?)(?P<sep>\s*)\[(?P<extra>[^\[\]]*)\]$", re.S)
_EXTRA_WORDS = {"default": "既定値", "env var": "環境変数", "required": "必須"}


def _translate_help(text: str) -> str:
    """A help text: exactly, else without click's trailing ``[default: ...]`` part, else
    a command's short help (``Block a list...``) by the help text it was taken from."""
    if language() != "ja" or not text:
        return text
    from ..i18n.ja_texts import TEXTS

    found = TEXTS.get(text)  # exact only: a help text is never a pattern's line
    if found is not None:
        return found
    match = _EXTRA.match(text)
    if match and match["head"]:
        extra = match["extra"]
        for en, ja in _EXTRA_WORDS.items():
            extra = extra.replace(en, ja)
        return f"{_translate_help(match['head'])}{match['sep']}[{extra}]"
    # a command's short help in a listing: its help's first sentence, maybe cut with "..."
    stem = text[:-3] if text.endswith("...") else text
    for source, target in TEXTS.items():
        if len(stem) > 8 and source.startswith(stem):
            return target.split("\n")[0].split("。")[0] + "。"
    return text


class I18nFormatter(click.HelpFormatter):
    def write_text(self, text: str) -> None:
        super().write_text(_translate_help(text))

    def write_dl(
        self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        super().write_dl(
            [(term, _translate_help(desc)) for term, desc in rows], col_max, col_spacing
        )


class I18nContext(click.Context):
    formatter_class = I18nFormatter


def _click_gettext(message: str) -> str:
    return tr(message)


def _click_ngettext(singular: str, plural: str, n: int) -> str:
    return tr(singular if n == 1 else plural)


def _hook_click() -> None:
    """click marks its own words with ``gettext``; send them through our catalog."""
    import click.core
    import click.decorators
    import click.exceptions
    import click.formatting
    import click.parser
    import click.types

    for module in (
        click.core,
        click.decorators,
        click.exceptions,
        click.formatting,
        click.parser,
        click.types,
    ):
        if hasattr(module, "_"):
            module._ = _click_gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = _click_ngettext  # type: ignore[attr-defined]


def _lang_from_args(args: Sequence[str]) -> str | None:
    for index, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
    return None


def choose(args: Sequence[str]) -> None:
    """Pick the language for this invocation (``--lang`` anywhere, env, locale)."""
    _hook_click()
    _hook_echo()
    set_language(detect(_lang_from_args(args)))


def shown(message: Any) -> Any:
    """What ``click.echo`` shows: text lines translated (``i18n.tr``), JSON and bytes as given."""
    if not isinstance(message, str) or language() != "ja":
        return message
    if message.lstrip().startswith(("{", "[")):
        try:
            json.loads(message)
        except ValueError:
            pass
        else:
            return message  # --json output: identifiers, never translated
    return tr_lines(message)


def _hook_echo() -> None:
    """Every ``click.echo`` of the CLI goes through ``shown`` (a no-op in English)."""
    import click.utils

    if getattr(click.echo, "_i18n", False):
        return
    original = click.utils.echo

    def echo(message: Any = None, *args: Any, **kwargs: Any) -> None:
        original(shown(message), *args, **kwargs)

    echo._i18n = True  # type: ignore[attr-defined]
    click.echo = echo
    click.utils.echo = echo


def _lang_option() -> click.Option:
    return click.Option(
        ["--lang"],
        type=click.Choice(LANGS),
        default=None,
        expose_value=False,
        is_eager=True,
        help=(
            "Language of messages and help (ja or en) "
            "[default: TWITTER_BLOCKER_LANG, else the locale]."
        ),
        callback=_set_from_option,
    )


def _set_from_option(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        set_language(value)


def _walk(command: click.Command) -> Iterator[click.Command]:
    yield command
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            yield from _walk(sub)


def localize(command: click.Command) -> click.Command:
    """Give ``command`` and its subcommands ``--lang`` and translated help (idempotent)."""
    for cmd in _walk(command):
        cmd.context_class = I18nContext
        if not any(p.name == "lang" for p in cmd.params):
            cmd.params.append(_lang_option())
        else:  # incident's --lang (the document's language) also sets the interface's
            for param in cmd.params:
                if param.name == "lang" and not getattr(param, "_i18n_hooked", False):
                    _chain(param)
    return command


def _chain(param: click.Parameter) -> None:
    original = param.callback

    def callback(ctx: click.Context, p: click.Parameter, value: Any) -> Any:
        source = ctx.get_parameter_source(p.name or "")
        if value in LANGS and source != click.core.ParameterSource.DEFAULT:
            set_language(value)
        return original(ctx, p, value) if original else value

    param.callback = callback
    param._i18n_hooked = True  # type: ignore[attr-defined]
