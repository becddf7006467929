"""The Live handoffs screen: every open clock with its countdown."""
