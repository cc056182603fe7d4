"""The service URLs of the Bot Framework's channels: where, with authentication on, the bot
sends proactively (the digest).

botbuilder attaches the bot's token to a proactive message to whatever service URL the
conversation reference names. With MicrosoftAppId set, an incoming activity's serviceUrl
is checked against the `serviceurl` claim of its token, but a subscription made while
authentication was off keeps the URL its caller gave, and a token sent there is the
bot's identity given away.

The hosts relied on:
- Teams, public cloud: `https://smba.trafficmanager.net/<region>/` (Teams' "Proactive
  messages", learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/
  send-proactive-messages; Microsoft's Agents SDK, `TeamsServiceEndpoints.publicGlobal`).
  That host only: any Azure customer can register another name under trafficmanager.net.
- Teams in the US government clouds, from the same page: `smba.infra.gcc.teams.microsoft.com`
  (GCC), `smba.infra.gov.teams.microsoft.us` (GCC High), `smba.infra.dod.teams.microsoft.us`
  (DoD).
- The Bot Framework's other channels (Web Chat, Direct Line, ...): hosts under
  `botframework.com`, the domain the Bot Service FAQ ("Which specific URLs do I need to
  allow-list in my corporate firewall?") names as `*.botframework.com`.

Over https on the default port, without a user name or password in the URL.
"""
from __future__ import annotations

from urllib.parse import urlsplit

TEAMS_HOSTS = frozenset({"smba.trafficmanager.net", "smba.infra.gcc.teams.microsoft.com",
                         "smba.infra.gov.teams.microsoft.us",
                         "smba.infra.dod.teams.microsoft.us"})
#: Every host under this domain is one of the Bot Framework's own.
BOT_FRAMEWORK_DOMAIN = "botframework.com"


def is_channel_url(url: str) -> bool:
    """Whether `url` is the service URL of a Bot Framework channel (see above)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a port that is not a number, a broken IPv6 address
        return False
    host = (parts.hostname or "").lower()
    return parts.scheme == "https" and port in (None, 443) and parts.username is None \
        and (host in TEAMS_HOSTS or host.endswith("." + BOT_FRAMEWORK_DOMAIN))
