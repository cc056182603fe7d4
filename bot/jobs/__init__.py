"""The bot's work apart from conversations, each kept in the catalog's database so that
replicas share it: the daily digest and the subscriptions it goes to, the inbox `serve`
takes minutes from and the record of what it took, and the leases that let one process
at a time do a piece of it (bot/teams/dedupe.py claims activities with them too)."""
