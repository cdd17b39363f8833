"""Synthetic demonstration data: scam reports from invented operations in the region's border
compounds, written the way victims write them, with the ground truth to score clustering."""

from scamintel.demo.catalogue import BENIGN_VALUES
from scamintel.demo.generator import generate_reports
from scamintel.demo.writer import DemoDataset, write_demo_dataset

__all__ = ["BENIGN_VALUES", "DemoDataset", "generate_reports", "write_demo_dataset"]
