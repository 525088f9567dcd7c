"""Services write. Every write the API, the admin and the commands make goes through here."""
