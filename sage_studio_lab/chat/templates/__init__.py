"""Flow templates of the chat area (`Chat (Studio pipeline)`)."""
