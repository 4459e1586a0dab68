"""``ponte``: run the bot, talk to it in the terminal, import and export the agenda."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from bot.cli.arguments import EXIT_USAGE, PonteParser
from bot.cli.backup import add_backup_command, backup_database
from bot.cli.purge_arguments import add_purge_command
from bot.cli.status import add_status_command, show_status
from bot.render.i18n import Translator, translator


def cli_translator(environ: dict[str, str] | None = None) -> Translator:
    """The terminal's language: Italian when the locale says so (LANG=it_IT.UTF-8), else English."""
    env = os.environ if environ is None else environ
    for name in ("PONTE_LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return translator("it" if value.lower().startswith("it") else "en")
    return translator("en")


def build_parser(t: Translator) -> PonteParser:
    parser = PonteParser(
        prog="ponte", translator=t,
        description=t._("Ponte, the Telegram bot of the Turin–Baltimore exchange. Settings come from PONTE_* "
                        "environment variables or a .env file: see the README."),
    )
    commands = parser.add_commands(dest="command", metavar=t._("COMMAND"), required=True)
    run = commands.add_parser("run", help=t._("run the bot against Telegram (needs PONTE_TOKEN)"),
                              description=t._("Run the bot with long polling until SIGINT or SIGTERM."))
    run.options.add_argument("--webhook", metavar="URL", default=None, help=t._(
        "take updates at this public https address instead of polling (needs PONTE_WEBHOOK_SECRET; listens on "
        "PONTE_WEBHOOK_LISTEN and PONTE_WEBHOOK_PORT)"))
    shell = commands.add_parser(
        "shell", help=t._("talk to the bot in this terminal, with no token and no network"),
        description=t._("Talk to the real bot in this terminal through a local stand-in of the Telegram Bot "
                        "API. A fresh database gets the example agenda."))
    shell.options.add_argument("--db", type=Path, default=None, metavar=t._("FILE"),
                               help=t._("SQLite file to use (default: PONTE_DB, else ponte-shell.db)"))
    agenda = commands.add_parser("agenda", help=t._("import or export the agenda"),
                                 description=t._("Import or export the agenda as a TOML file."))
    agenda_commands = agenda.add_commands(dest="agenda_command", metavar=t._("ACTION"), required=True)
    load = agenda_commands.add_parser(
        "import", help=t._("check a TOML file and apply it to the agenda"),
        description=t._("Check an agenda file and, if it has no mistakes, apply it in one transaction, "
                        "matching events by slug. With any mistake nothing changes."))
    load.add_positional("file", type=Path, metavar=t._("FILE"), help=t._("the agenda file (TOML)"))
    load.options.add_argument("--dry-run", action="store_true", help=t._("check and report, change nothing"))
    dump = agenda_commands.add_parser("export", help=t._("write the current agenda as TOML"),
                                      description=t._("Write the current agenda as TOML."))
    dump.options.add_argument("-o", "--output", type=Path, default=None, metavar=t._("FILE"),
                              help=t._("file to write (default: standard output)"))
    audit = commands.add_parser(
        "audit", help=t._("print the audit log of privileged actions"),
        description=t._("Print who did what privileged action (agenda imports, broadcasts, roles, invitations, "
                        "exports) and when, newest first, in the exchange's time zone."))
    audit.options.add_argument("--limit", type=_positive, default=50, metavar=t._("N"),
                               help=t._("how many entries to print (default: 50)"))
    agenda_commands.add_parser("example", help=t._("print the example agenda built from the seed article"),
                               description=t._("Print the example agenda built from the seed article."))
    _questionnaire_commands(commands, t)
    _checkin_commands(commands, t)
    add_purge_command(commands, t)
    add_backup_command(commands, t)
    add_status_command(commands, t)
    report = commands.add_parser(
        "report", help=t._("write the feedback report as a file (HTML, XLSX or CSV)"),
        description=t._("Write what people answered after the events as a file: a report document (html), a "
                        "spreadsheet (xlsx) or a table (csv, for Excel in the chosen language: a semicolon "
                        "between columns in Italian, a comma in English)."))
    report.options.add_argument("--format", required=True, choices=("html", "xlsx", "csv"), dest="format",
                                metavar=t._("FORMAT"), help=t._("html, xlsx or csv"))
    report.options.add_argument("--out", required=True, type=Path, metavar=t._("FILE"),
                                help=t._("the file to write"))
    report.options.add_argument("--event", default=None, metavar=t._("CODE"),
                                help=t._("one event's code (its slug); by default all events"))
    report.options.add_argument("--language", default=None, choices=("it", "en"), metavar=t._("LANGUAGE"),
                                help=t._("it or en: the file's language (by default the terminal's)"))
    return parser


def _positive(text: str) -> int:
    """A whole number above 0 (argparse names the option when this raises ValueError)."""
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


def _questionnaire_commands(commands, t: Translator) -> None:
    questionnaire = commands.add_parser(
        "questionnaire", help=t._("import, list or print the questionnaires asked after events"),
        description=t._("The questionnaires people answer after events, as TOML files."))
    actions = questionnaire.add_commands(dest="questionnaire_command", metavar=t._("ACTION"), required=True)
    load = actions.add_parser(
        "import", help=t._("check a questionnaire file and apply it"),
        description=t._("Check a questionnaire file and, if it has no mistakes, apply it in one transaction, "
                        "matching the questionnaire by slug and its questions by id. With any mistake nothing "
                        "changes."))
    load.add_positional("file", type=Path, metavar=t._("FILE"), help=t._("the questionnaire file (TOML)"))
    load.options.add_argument("--dry-run", action="store_true", help=t._("check and report, change nothing"))
    actions.add_parser("list", help=t._("list the questionnaires in the database"),
                       description=t._("List the questionnaires in the database and the events they follow."))
    actions.add_parser("example", help=t._("print the default questionnaire, a starting point to edit"),
                       description=t._("Print the default questionnaire built from the seed article."))


def _checkin_commands(commands, t: Translator) -> None:
    checkin = commands.add_parser("checkin", help=t._("check-in at the venue: the QR code for an event's door"),
                                  description=t._("Check-in at the venue."))
    actions = checkin.add_commands(dest="checkin_command", metavar=t._("ACTION"), required=True)
    qr = actions.add_parser(
        "qr", help=t._("write an event's check-in QR code as a PNG image"),
        description=t._("Write the QR code people scan at the door of an event to be checked in, as a PNG "
                        "image to print. The link needs the bot's username: PONTE_BOT_USERNAME, or else "
                        "PONTE_TOKEN to ask Telegram."))
    qr.add_positional("slug", metavar=t._("EVENT"), help=t._("the event's code (its slug in the agenda file)"))
    qr.options.add_argument("--out", type=Path, required=True, metavar=t._("FILE"),
                            help=t._("the PNG file to write"))


def main(argv: list[str] | None = None) -> int:
    t = cli_translator()
    args = build_parser(t).parse_args(argv)
    from telegram.error import InvalidToken, NetworkError

    from bot.cli.storage_problems import EXIT_STORAGE, storage_problem_line
    from bot.config.settings import Settings, SettingsError
    from bot.domain.agenda_file import EXAMPLE_AGENDA
    from storage import SchemaTooNewError, StorageError

    try:
        if args.command == "agenda" and args.agenda_command == "example":
            sys.stdout.write(EXAMPLE_AGENDA.read_text(encoding="utf-8"))
            return 0
        if args.command == "questionnaire" and args.questionnaire_command == "example":
            from bot.cli.questionnaire import print_example

            return print_example()
        settings = Settings.from_env(require_token=args.command == "run", require_privacy=args.command == "run")
        settings.configure_logging()
        if args.command == "run":
            from bot.app.runtime import serve
            from bot.app.webhook import ListenError, WebhookRefused

            webhook = settings.webhook(args.webhook) if args.webhook is not None else None
            try:
                asyncio.run(serve(settings, webhook=webhook))
            except ListenError as error:
                print(t._("Ponte cannot listen on {address} port {port}: {problem}. Set PONTE_WEBHOOK_LISTEN and "
                          "PONTE_WEBHOOK_PORT to a free address and port of this machine.", address=error.address,
                          port=error.port, problem=error.problem), file=sys.stderr)
                return 1
            except WebhookRefused as error:
                print(t._("Telegram refused the webhook address {url}: {problem}. It must be this bot's public "
                          "https:// address, on port 443, 80, 88 or 8443, reachable from the internet.",
                          url=error.url, problem=error.problem), file=sys.stderr)
                return 1
            return 0
        if args.command == "backup":
            return backup_database(settings, t, args.file, force=args.force)
        if args.command == "status":
            return show_status(settings, t, as_json=args.json)
        if args.command == "shell":
            from bot.cli.shell import run_shell

            return asyncio.run(run_shell(settings, t, db_path=args.db))
        if args.command == "audit":
            from bot.cli.audit import print_audit

            return print_audit(settings, t, args.limit)
        if args.command == "checkin":
            from bot.cli.checkin import checkin_qr

            return checkin_qr(settings, t, args.slug, args.out)
        if args.command == "purge":
            from bot.cli.purge import purge

            return purge(settings, t, dry_run=args.dry_run)
        if args.command == "questionnaire":
            from bot.cli.questionnaire import import_questionnaire, list_questionnaires

            if args.questionnaire_command == "import":
                return import_questionnaire(settings, t, args.file, dry_run=args.dry_run)
            return list_questionnaires(settings, t)
        if args.command == "report":
            from bot.cli.report import export_report
            from bot.domain.reports import ExportFormat

            slug = args.event.lower() if args.event else None
            return export_report(settings, t, ExportFormat(args.format), args.out, slug, args.language)
        from bot.cli.agenda import export_agenda, import_agenda

        if args.agenda_command == "import":
            return import_agenda(settings, t, args.file, dry_run=args.dry_run)
        return export_agenda(settings, t, args.output)
    except SettingsError as error:
        problem = t._(error.message, **error.values)
        print(t._("Ponte cannot start: {problem}", problem=problem), file=sys.stderr)
        return EXIT_USAGE
    except StorageError as error:
        print(storage_problem_line(t, error), file=sys.stderr)
        return EXIT_STORAGE
    except SchemaTooNewError as error:
        print(t._("Ponte cannot open the database: {problem}", problem=error), file=sys.stderr)
        return EXIT_USAGE
    except InvalidToken:
        print(t._("Ponte cannot start: Telegram refused PONTE_TOKEN (or PONTE_API_URL is not a Bot API). Check "
                  "the token with @BotFather."), file=sys.stderr)
        return EXIT_USAGE
    except NetworkError as error:
        print(t._("Ponte cannot reach the Bot API at PONTE_API_URL: {problem}", problem=error), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
