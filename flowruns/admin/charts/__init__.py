"""Charts the admin serves as inline SVG built on the server: no JavaScript, no CDN, nothing
to download. `bars` draws the dashboard's stacked runs-by-state chart, `timeline` a run's
states and task runs on a time axis."""
