from podcast.cli import main

main()
