from swe_team.launch import main

main()
