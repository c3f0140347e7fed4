"""`python -m yuqing.cli`: the same command line as the `yuqing` script."""

from yuqing.cli import main

if __name__ == "__main__":
    main()
