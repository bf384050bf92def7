"""`python -m benchmarks.names`: the name matcher's quality and speed, ours and logic-v2's side by side."""

from benchmarks.names.run import main

if __name__ == "__main__":
    raise SystemExit(main())
