"""The foundation every other package builds on: errors, settings, the job record, the team state, the model client."""
