"""Events the server emits itself (spec/events.md §7.1-7.2), stored like any other event.

flowruns' services do not import this app (it imports them): they call the listeners that
`EventsConfig.ready()` registers with `flowruns.services.listeners`.
"""
