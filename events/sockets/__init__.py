"""The websockets of Prefect's event and log streams (spec events.md §3, §8.5), as ASGI apps.

Async code lives only here and in the bus listener; database work goes through `run_db`, on
threads of its own, with Django's usual synchronous ORM.
"""
