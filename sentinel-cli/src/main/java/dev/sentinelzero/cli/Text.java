package dev.sentinelzero.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Plain-text layouts: column tables and {@code key: value} blocks. */
final class Text {
  private Text() {}

  /**
   * Columns left-aligned, separated by two spaces; the last column is not padded, so a long
   * command line does not push trailing blanks.
   */
  static void table(String[] header, List<String[]> rows, PrintWriter out) {
    List<String[]> all = new ArrayList<>(rows.size() + 1);
    all.add(header);
    all.addAll(rows);
    rows(all, out);
  }

  /**
   * Rows without a header, in columns as {@link #table} lays them out. A row may have fewer cells
   * than another: its line ends after its last cell.
   */
  static void rows(List<String[]> rows, PrintWriter out) {
    int columns = 0;
    for (String[] row : rows) {
      columns = Math.max(columns, row.length);
    }
    int[] widths = new int[columns];
    for (String[] row : rows) {
      for (int c = 0; c < row.length; c++) {
        widths[c] = Math.max(widths[c], row[c].length());
      }
    }
    for (String[] row : rows) {
      printRow(row, widths, out);
    }
    out.flush();
  }

  /** {@code key: value} lines with the values aligned. */
  static void keyValues(List<String[]> rows, PrintWriter out) {
    int width = 0;
    for (String[] row : rows) {
      width = Math.max(width, row[0].length());
    }
    StringBuilder line = new StringBuilder();
    for (String[] row : rows) {
      line.setLength(0);
      line.append(row[0]).append(':');
      pad(line, width + 2 - row[0].length() - 1);
      line.append(row[1]);
      out.println(line);
    }
    out.flush();
  }

  private static void printRow(String[] cells, int[] widths, PrintWriter out) {
    StringBuilder line = new StringBuilder();
    for (int c = 0; c < cells.length; c++) {
      line.append(cells[c]);
      if (c < cells.length - 1) {
        pad(line, widths[c] - cells[c].length() + 2);
      }
    }
    out.println(line);
  }

  private static void pad(StringBuilder line, int spaces) {
    for (int i = 0; i < spaces; i++) {
      line.append(' ');
    }
  }
}
