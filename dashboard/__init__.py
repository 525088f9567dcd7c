"""The operator's landing page: the admin index leads with a dashboard of what the server is
doing (`selectors` read it, `site.OperatorAdminSite.index` shows it)."""
