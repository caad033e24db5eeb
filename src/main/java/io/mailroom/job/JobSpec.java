package io.mailroom.job;

import java.nio.charset.Charset;
import java.nio.file.Path;

/** A parsed job file: its name, its inputs (CSV and templates) and how it sends. */
public record JobSpec(String name, Path file, Path recipients, Charset encoding, String keyColumn, Path template, Path templateHtml,
                      SendSettings send) { }
