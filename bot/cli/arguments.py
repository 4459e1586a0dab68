"""An argument parser that speaks the terminal's language, argparse's own words included.

Only argparse's public API: the usage prefix through a HelpFormatter subclass, our own ``-h`` in a titled
group (``add_help=False``), every argument in a titled group, and ``error`` overridden to say each mistake
through the catalogs."""

from __future__ import annotations

import argparse
import re
import sys
from functools import partial
from typing import Any, NoReturn

from bot.render.i18n import N_, Translator

EXIT_USAGE = 2


class _Formatter(argparse.HelpFormatter):
    def __init__(self, prog: str, *, usage_prefix: str, **kwargs: Any) -> None:
        super().__init__(prog, **kwargs)
        self._usage_prefix = usage_prefix

    def add_usage(self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, self._usage_prefix if prefix is None else prefix)


# argparse's messages, as Python 3.11 to 3.13 word them, and what Ponte says instead.
_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^the following arguments are required: (?P<names>.+)$"),
     N_("this is missing: {names}")),
    (re.compile(r"^unrecognized arguments: (?P<names>.+)$"),
     N_("I don't know what to do with: {names}")),
    (re.compile(r"^argument (?P<name>\S+): invalid choice: (?P<value>.+?) \(choose from (?P<choices>.+)\)$"),
     N_("{value} is not a valid {name}; choose one of: {choices}")),
    (re.compile(r"^argument (?P<name>\S+): invalid \S+ value: (?P<value>.+)$"),
     N_("{value} is not a valid value for {name}; see --help")),
    (re.compile(r"^argument (?P<name>\S+): expected one argument$"),
     N_("{name} needs a value after it")),
    (re.compile(r"^argument (?P<name>\S+): ignored explicit argument (?P<value>.+)$"),
     N_("{name} takes no value (not even {value})")),
    (re.compile(r"^ambiguous option: (?P<name>\S+) could match (?P<choices>.+)$"),
     N_("{name} could be any of: {choices}; write it in full")),
)


def _plain(text: str) -> str:
    """argparse quotes values as Python literals ('run'); people need no quotes."""
    return ", ".join(part.strip().strip("'\"") for part in text.split(","))


def translate_error(t: Translator, message: str) -> str:
    for pattern, msgid in _MESSAGES:
        found = pattern.match(message)
        if found:
            return t._(msgid, **{key: _plain(value) for key, value in found.groupdict().items()})
    return t._("this command line is not valid; see --help")


class PonteParser(argparse.ArgumentParser):
    """An ArgumentParser whose every word comes from Ponte's catalogs. Sub-commands get the same class."""

    def __init__(self, *args: Any, translator: Translator, **kwargs: Any) -> None:
        kwargs["formatter_class"] = partial(_Formatter, usage_prefix=translator._("usage: "))
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self.t = translator
        self.options = self.add_argument_group(translator._("options"))
        self.options.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                                  help=translator._("show this help and exit"))
        self._arguments_section: Any = None

    def add_positional(self, *args: Any, **kwargs: Any) -> argparse.Action:
        """A positional argument, listed under a title in the terminal's language."""
        if self._arguments_section is None:
            self._arguments_section = self.add_argument_group(self.t._("arguments"))
        return self._arguments_section.add_argument(*args, **kwargs)

    def add_commands(self, **kwargs: Any) -> Any:
        """Sub-commands, listed under a title in the terminal's language, each a PonteParser too."""
        return self.add_subparsers(title=self.t._("commands"), parser_class=partial(PonteParser, translator=self.t),
                                   **kwargs)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, self.t._("{prog}: error: {problem}", prog=self.prog,
                                       problem=translate_error(self.t, message)) + "\n")
