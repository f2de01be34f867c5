-- How sure an automatic ROI suggestion was (0...1); NULL for ROIs drawn by people or set by synthesize.
-- Low-confidence boxes are marked as such wherever an ROI is shown.
ALTER TABLE roi_annotation ADD COLUMN confidence REAL CHECK (confidence IS NULL OR (confidence >= 0 AND confidence <= 1));
