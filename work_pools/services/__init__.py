"""The one write path of pools, queues, workers and polls: API, admin and the foreman all go
through these functions."""
