"""The Excel-facing layer of kam_xl: xlwings functions (UDFs) and macros.

Thin wrappers only — every number is computed by ``kam_xl``'s pure functions. The functions and macros
themselves arrive with the xlwings issue (classic add-in and xlwings Server); until then this package holds
no functions.
"""
