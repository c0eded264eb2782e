"""The party-building funding ledger (党建经费): money in from the street and enterprises, money out with its
voucher."""
