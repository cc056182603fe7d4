"""Microsoft Teams and the Bot Framework: the adapter (with its authentication and
dedupe), the activity handler, the activities and compose-box results as Teams' JSON,
the citations' message entity, and the app package's manifest. The only room of `bot/`
that imports botbuilder; the conversation core below it knows no channel."""
