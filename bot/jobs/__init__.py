"""The bot's work apart from conversations, each kept in the catalog's database so that
replicas share it: the daily digest and the subscriptions it goes to, the inbox `serve`
takes minutes from and the record of what it took, and who holds a lease on any of it."""
