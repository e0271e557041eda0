from swe_team.cli import app

app(prog_name="swe-team")
