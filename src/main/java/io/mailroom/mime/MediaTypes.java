package io.mailroom.mime;

import java.net.URLConnection;
import java.util.Locale;
import java.util.Map;

/** Content type of an attachment from its file name; octet-stream when unknown. */
final class MediaTypes {
    private static final Map<String, String> COMMON = Map.ofEntries(
            Map.entry("pdf", "application/pdf"), Map.entry("png", "image/png"), Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"), Map.entry("gif", "image/gif"), Map.entry("svg", "image/svg+xml"),
            Map.entry("webp", "image/webp"), Map.entry("txt", "text/plain"), Map.entry("csv", "text/csv"),
            Map.entry("html", "text/html"), Map.entry("ics", "text/calendar"), Map.entry("json", "application/json"),
            Map.entry("xml", "application/xml"), Map.entry("zip", "application/zip"), Map.entry("gz", "application/gzip"),
            Map.entry("doc", "application/msword"), Map.entry("xls", "application/vnd.ms-excel"),
            Map.entry("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            Map.entry("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            Map.entry("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
            Map.entry("odt", "application/vnd.oasis.opendocument.text"), Map.entry("eml", "message/rfc822"));

    private MediaTypes() { }

    static String forFileName(String name) {
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        String type = COMMON.get(ext);
        if (type == null) type = URLConnection.guessContentTypeFromName(name);
        return type == null ? "application/octet-stream" : type;
    }
}
