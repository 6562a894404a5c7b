"""A click group whose subcommands are imported only when used.

``twitter-blocker health`` must be fast enough for a container health check, so
it must not pay for importing the emulator (starlette, uvicorn) or rich tables
it does not use.
"""

from __future__ import annotations

import importlib

import click

from .i18n import I18nContext, localize

# name -> "module:attribute". Every subcommand of the CLI is listed here.
SUBCOMMANDS: dict[str, str] = {
    "demo": "twitter_blocker.cli.demo:demo",
    "emulator": "twitter_blocker.cli.emulator:emulator",
    "diagnose": "twitter_blocker.cli.ops_diagnose:diagnose",
    "stop": "twitter_blocker.cli.ops_process:stop",
    "backup": "twitter_blocker.cli.ops_backup:backup",
    "restore": "twitter_blocker.cli.ops_backup:restore",
    "db": "twitter_blocker.cli.ops_db:db",
    "auth": "twitter_blocker.cli.ops_auth:auth",
    "ratelimit": "twitter_blocker.cli.ops_auth:ratelimit",
    "cleanup": "twitter_blocker.cli.ops_db:cleanup",
    "recover": "twitter_blocker.cli.ops_process:recover",
    "integrity": "twitter_blocker.cli.ops_db:integrity",
    "health": "twitter_blocker.cli.ops_health:health",
    "incident": "twitter_blocker.cli.ops_incident:incident",
    "schedule": "twitter_blocker.cli.ops_schedule:schedule",
    "init": "twitter_blocker.cli.ops_init:init",
    "endpoints": "twitter_blocker.cli.endpoints:endpoints",
    "blocks": "twitter_blocker.cli.blocks:blocks",
    "unblock": "twitter_blocker.cli.unblock:unblock",
    "unmute": "twitter_blocker.cli.unblock:unmute",
    "collect": "twitter_blocker.cli.collect:collect",
    "serve": "twitter_blocker.cli.serve:serve",
}


class LazyGroup(click.Group):
    context_class = I18nContext

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *SUBCOMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in SUBCOMMANDS:
            module_name, attr = SUBCOMMANDS[cmd_name].split(":")
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:  # a topic not built yet
                if exc.name == module_name:
                    return None
                raise
            command = getattr(module, attr)
            assert isinstance(command, click.Command)
            return localize(command)
        return super().get_command(ctx, cmd_name)
