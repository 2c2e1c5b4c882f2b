"""Background jobs as the database keeps them (the queue itself is Huey's; see nmahp.app.jobs)."""
