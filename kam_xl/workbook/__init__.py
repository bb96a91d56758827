"""Workbooks built in code: layouts described as data (:mod:`kam_xl.workbook.layout`) and one writer that
turns them into .xlsx files with xlsxwriter (:mod:`kam_xl.workbook.render`)."""
