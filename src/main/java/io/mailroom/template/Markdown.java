package io.mailroom.template;

import java.util.List;
import org.commonmark.node.AbstractVisitor;
import org.commonmark.node.Code;
import org.commonmark.node.FencedCodeBlock;
import org.commonmark.node.HtmlBlock;
import org.commonmark.node.HtmlInline;
import org.commonmark.node.Image;
import org.commonmark.node.IndentedCodeBlock;
import org.commonmark.node.Link;
import org.commonmark.node.Node;
import org.commonmark.node.Text;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.DefaultUrlSanitizer;
import org.commonmark.renderer.html.HtmlRenderer;

/**
 * A Markdown body's HTML alternative, made by CommonMark. The Markdown is parsed with every interpolated
 * string still a token ({@link Interpolated}), then each token becomes literal text in the node it landed in,
 * so data shapes no structure. Raw HTML is shown as text, even the template's own: with no raw HTML at all
 * there is nothing for data to reach through. Link and image URLs keep only http, https, mailto and cid (an
 * inline image); {@code javascript:} and the like become empty.
 */
final class Markdown {
    // both are safe to share between threads once built (commonmark-java's own word)
    private static final Parser PARSER = Parser.builder().build();
    private static final HtmlRenderer RENDERER = HtmlRenderer.builder().escapeHtml(true).sanitizeUrls(true)
            .urlSanitizer(new DefaultUrlSanitizer(List.of("http", "https", "mailto", "cid"))).percentEncodeUrls(true).build();

    private Markdown() { }

    /** The HTML document for {@code markdown}, whose tokens {@code state} can put back. */
    static String html(String markdown, RenderState state) {
        Node document = PARSER.parse(markdown);
        document.accept(new Restore(state));
        return "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n</head>\n<body>\n" + RENDERER.render(document) + "</body>\n</html>\n";
    }

    /** Puts each interpolated string back as literal text, wherever CommonMark keeps text. */
    private static final class Restore extends AbstractVisitor {
        private final RenderState state;

        Restore(RenderState state) {
            this.state = state;
        }

        @Override
        public void visit(Text text) {
            text.setLiteral(state.restore(text.getLiteral()));
        }

        @Override
        public void visit(Code code) {
            code.setLiteral(state.restore(code.getLiteral()));
        }

        @Override
        public void visit(FencedCodeBlock block) {
            block.setLiteral(state.restore(block.getLiteral()));
            block.setInfo(state.restore(block.getInfo()));
        }

        @Override
        public void visit(IndentedCodeBlock block) {
            block.setLiteral(state.restore(block.getLiteral()));
        }

        @Override
        public void visit(HtmlInline html) {
            html.setLiteral(state.restore(html.getLiteral()));
        }

        @Override
        public void visit(HtmlBlock html) {
            html.setLiteral(state.restore(html.getLiteral()));
        }

        @Override
        public void visit(Link link) {
            link.setDestination(state.restore(link.getDestination()));
            link.setTitle(state.restore(link.getTitle()));
            visitChildren(link);
        }

        @Override
        public void visit(Image image) {
            image.setDestination(state.restore(image.getDestination()));
            image.setTitle(state.restore(image.getTitle()));
            visitChildren(image);
        }
    }
}
