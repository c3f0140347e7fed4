"""The foundation every stage imports: clock, settings and configuration loading."""
