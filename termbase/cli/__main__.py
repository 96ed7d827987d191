from termbase.cli import main

main()
