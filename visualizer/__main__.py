"""`python -m visualizer` runs the same CLI as the `embviz` command."""

from visualizer.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
