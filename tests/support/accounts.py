"""The password of the test users, and logging a test client in."""

PASSWORD = "correct-horse-9"


def login(client, username, password=PASSWORD):
    """Log a test client in through the form."""
    return client.post("/login", data={"username": username, "password": password})
