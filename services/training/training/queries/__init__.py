"""The read side: queries over training's own tables that several services and authz share.

Read-only: nothing here writes, emits or commits. Services write; rules decide; these count.
"""
