"""Campaigns (核查批次) and their samples: the design page, the frame, the draw, its verification,
replacement by reserves and the sample list exports; pages, /api/v1 routes and `flask` commands."""
