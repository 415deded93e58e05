from baselines.cli import main

main()
