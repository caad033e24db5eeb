package io.mailroom.template;

import freemarker.core.ParseException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * FreeMarker's parse error as one complete line. Its message goes on over lines: a sentence, then "but was
 * expecting one of these patterns:" and a pattern a line, in the parser's token names (&lt;ID&gt;,
 * &lt;END_IF&gt;). Here the list follows on the same line, comma-separated and in the words a template is
 * written in ("a name", "&lt;/#if&gt;"); nothing is cut short. The only part left out is the alphabetical list
 * of every built-in after an unknown one, which the help address in the same message gives.
 */
final class SyntaxMessage {
    private static final Pattern PATTERNS_FOLLOW = Pattern.compile("(?i).*expecting (one of these patterns|pattern):\\s*$");
    private static final Pattern TOKEN = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|<[^<>]+>");
    private static final Set<String> DIRECTIVES = Set.of("ATTEMPT", "RECOVER", "IF", "LIST", "ITEMS", "SEP", "FOREACH", "SWITCH", "CASE",
            "ON", "ASSIGN", "IMPORT", "FUNCTION", "MACRO", "TRANSFORM", "VISIT", "STOP", "RETURN", "CALL", "SETTING", "OUTPUTFORMAT",
            "AUTOESC", "NOAUTOESC", "COMPRESS", "COMMENT", "NOPARSE", "ELSE", "BREAK", "CONTINUE", "HALT", "FLUSH", "TRIM", "LTRIM", "RTRIM",
            "NOTRIM", "NESTED", "RECURSE", "FALLBACK", "ESCAPE", "NOESCAPE");

    private SyntaxMessage() { }

    /** "Encountered "b", but was expecting one of these patterns: ".", "..", "..<", …, "}"". */
    static String of(ParseException e) {
        String message = e.getEditorMessage() == null ? "" : e.getEditorMessage().strip();
        StringBuilder out = new StringBuilder();
        Set<String> patterns = null;
        for (String line : message.split("\\R")) {
            String text = line.strip();
            if (text.startsWith("The alphabetical list of built-ins")) break;
            if (text.isEmpty()) continue;
            if (patterns != null) {
                patterns.add(readable(text));
                continue;
            }
            out.append(out.length() == 0 ? "" : " ").append(text);
            if (PATTERNS_FOLLOW.matcher(text).matches()) patterns = new LinkedHashSet<>();
        }
        if (patterns != null) out.append(' ').append(String.join(", ", patterns));
        return out.toString();
    }

    /** One expected sequence (usually one token) in template words. */
    private static String readable(String sequence) {
        StringBuilder sb = new StringBuilder();
        Matcher m = TOKEN.matcher(sequence);
        while (m.find()) sb.append(sb.length() == 0 ? "" : " ").append(token(m.group()));
        return sb.length() == 0 ? sequence : sb.toString();
    }

    private static String token(String image) {
        if (image.startsWith("\"")) return image;
        String name = image.substring(1, image.length() - 1);
        return switch (name) {
            case "ID" -> "a name";
            case "STRING_LITERAL" -> "a string";
            case "RAW_STRING" -> "a raw string";
            case "INTEGER" -> "a whole number";
            case "DECIMAL" -> "a number";
            case "EOF" -> "the end of the file";
            case "DOT_DOT_LESS" -> "\"..<\"";
            case "TERMINATING_EXCLAM" -> "\"!\"";
            case "LESS_THAN" -> "\"<\"";
            case "LESS_THAN_EQUALS" -> "\"<=\"";
            case "ESCAPED_GT" -> "\"gt\"";
            case "ESCAPED_GTE" -> "\"gte\"";
            case "LAMBDA_ARROW" -> "\"->\"";
            case "AND" -> "\"&&\"";
            case "OR" -> "\"||\"";
            case "EMPTY_DIRECTIVE_END" -> "\"/>\"";
            case "STATIC_TEXT_WS", "STATIC_TEXT_NON_WS", "STATIC_TEXT_FALSE_ALARM" -> "text";
            case "UNIFIED_CALL" -> "\"<@\"";
            case "UNIFIED_CALL_END" -> "\"</@\"";
            case "ELSE_IF" -> "\"<#elseif\"";
            case "GLOBALASSIGN" -> "\"<#global\"";
            case "LOCALASSIGN" -> "\"<#local\"";
            case "_INCLUDE" -> "\"<#include\"";
            case "SIMPLE_RETURN" -> "\"<#return>\"";
            case "SIMPLE_NESTED" -> "\"<#nested>\"";
            case "SIMPLE_RECURSE" -> "\"<#recurse>\"";
            case "DEFAUL" -> "\"<#default>\"";
            case "TERSE_COMMENT" -> "\"<#--\"";
            case "FTL_HEADER", "TRIVIAL_FTL_HEADER" -> "\"<#ftl\"";
            default -> directive(name);
        };
    }

    private static String directive(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (name.startsWith("END_")) return "\"</#" + lower.substring(4) + ">\"";
        if (DIRECTIVES.contains(name)) return "\"<#" + lower + "\"";
        return lower.replace('_', ' ');
    }
}
