"""The model client stack: the `ModelClient` protocol, litellm, JSON tool calls, fitting, probing, servers."""
