"""``{% extends %}`` with the root template's blocks found once, not on every render.

Django's ExtendsNode walks every node of the root template (base.html: the banner, the
menu, the idle warning…) for its ``{% block %}`` nodes on each render of a page that
extends it (about 35 µs a page here, docs/performance.md). The nodes of a compiled
template never change, so the walk's answer is kept on the compiled template: a template
the loader reloads (development) is a new object and is walked afresh. Installed as a
template builtin (posc/settings/base.py), so every ``{% extends %}`` is this one; parsing
and everything else is Django's.
"""

from django import template
from django.template.base import TextNode
from django.template.loader_tags import BLOCK_CONTEXT_KEY, BlockContext, BlockNode, do_extends
from django.template.loader_tags import ExtendsNode as DjangoExtendsNode

register = template.Library()

_BLOCKS = "_posc_root_blocks"


def root_blocks(compiled_parent: template.Template) -> dict | None:
    """Return {name: BlockNode} of *compiled_parent* if it extends nothing, else None.

    The answer of Django's ExtendsNode.render, kept on the compiled template.
    """
    try:
        return compiled_parent.__dict__[_BLOCKS]
    except KeyError:
        pass
    blocks = None
    for node in compiled_parent.nodelist:
        # The ExtendsNode has to be the first non-text node.
        if not isinstance(node, TextNode):
            if not isinstance(node, DjangoExtendsNode):
                blocks = {n.name: n
                          for n in compiled_parent.nodelist.get_nodes_by_type(BlockNode)}
            break
    compiled_parent.__dict__[_BLOCKS] = blocks
    return blocks


class ExtendsNode(DjangoExtendsNode):
    """Django's ExtendsNode; its render finds the root's blocks with root_blocks."""

    def render(self, context: template.Context) -> str:
        compiled_parent = self.get_parent(context)
        if BLOCK_CONTEXT_KEY not in context.render_context:
            context.render_context[BLOCK_CONTEXT_KEY] = BlockContext()
        block_context = context.render_context[BLOCK_CONTEXT_KEY]
        # Add the block nodes from this node to the block context
        block_context.add_blocks(self.blocks)
        # If this block's parent doesn't have an extends node it is the root,
        # and its block nodes also need to be added to the block context.
        if (blocks := root_blocks(compiled_parent)) is not None:
            block_context.add_blocks(blocks)
        # Call Template._render explicitly so the parser context stays the same.
        with context.render_context.push_state(compiled_parent, isolated_context=False):
            return compiled_parent._render(context)


@register.tag("extends")
def extends(parser, token) -> ExtendsNode:
    """Django's {% extends %} (its parsing and checks), rendered by the ExtendsNode above."""
    node = do_extends(parser, token)
    node.__class__ = ExtendsNode
    return node
