"""The dispatchers' and admins' web dashboard, mounted at /dashboard."""
