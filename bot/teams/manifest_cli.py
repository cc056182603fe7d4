"""`referatbot manifest`: build the Teams app package. Added to the CLI group with
`main.add_command(manifest_command)`."""
from __future__ import annotations

from pathlib import Path

import click

from bot.teams.manifest import build_package


@click.command("manifest")
@click.option("--app-id", envvar="MicrosoftAppId", show_envvar=True, required=True,
              help="The bot's Microsoft App ID (a GUID from its Azure app registration); "
                   "used as both the Teams app id and the bot id.")
@click.option("--name", default="referatbot", show_default=True,
              help="The app's name in Teams (at most 30 characters).")
@click.option("--host", default=None,
              help="The bare domain the bot is served from, such as bot.albertslund.dk: "
                   "listed as a valid domain and used for the developer URLs.")
@click.option("--version", "app_version", default="1.0.0", show_default=True,
              help="The app version, MAJOR.MINOR.PATCH; raise it for every new upload.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="Where to write the package, such as referatbot.zip.")
def manifest_command(app_id: str, name: str, host: str | None, app_version: str,
                     out: Path) -> None:
    """Build the Teams app package (manifest.json, color.png, outline.png in a zip) for
    upload in the Teams admin center or sideloading."""
    try:
        path = build_package(app_id, out, name=name, host=host, version=app_version)
    except ValueError as e:
        raise click.ClickException(str(e)) from e
    except OSError as e:
        raise click.ClickException(f"Cannot write {out}: {e.strerror or e}") from e
    click.echo(f"{path}: Teams app package '{name}' {app_version} for app id "
               f"{app_id.strip().lower()}" + (f", host {host}" if host else ""))
