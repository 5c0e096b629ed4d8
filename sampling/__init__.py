"""Pure sampling and estimation code: sizes, allocation, the stratified draw, its verification, and
the estimates. No Flask and no database here, so all of it runs and is tested on plain arrays."""
