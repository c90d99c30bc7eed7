"""Common package shared by the I Matter services (training, cic-tracker, gateway).

It holds only mechanisms (errors, auth checks, health, logging, event envelope and
messaging), never business data of either organisation.
"""
