"""The Django service: thin views and storage over the domain packages."""
