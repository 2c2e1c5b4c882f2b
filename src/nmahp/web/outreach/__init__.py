"""Outreach: invitees of a collector link with their own links, reminders and unsubscribes, and the
e-mail the platform sends (survey invitations and reminders, mentoring notices), through the background queue."""
