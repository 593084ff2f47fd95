#!/usr/bin/env python3
"""Draws the project's pictograms (one SVG per slogan file) from the shapes below.

Every pictogram is built from circles, rounded rectangles, polygons and round-capped
strokes, combined by union and difference (Shapely), and written as filled paths only:
one `<path d>` per pictogram, nonzero fill (outer contours one way round, holes the other).
Run from the crate root:  python3 pictograms/draw.py   (needs shapely 2.x)
"""
import math
import sys
from pathlib import Path

from shapely import affinity
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box
from shapely.geometry.polygon import orient
from shapely.ops import unary_union

W = 8.0  # stroke weight, units of the 100 × 100 box
G = 7.0  # narrowest gap
Q = 32  # segments per quarter circle


def circle(cx, cy, r):
    return Point(cx, cy).buffer(r, quad_segs=Q)


def rrect(x0, y0, x1, y1, r):
    if r <= 0:
        return box(x0, y0, x1, y1)
    return box(x0 + r, y0 + r, x1 - r, y1 - r).buffer(r, quad_segs=Q)


def ring(cx, cy, r_out, r_in):
    return circle(cx, cy, r_out).difference(circle(cx, cy, r_in))


def stroke(points, w=W, cap="round", join="round"):
    caps = {"round": 1, "flat": 2, "square": 3}
    joins = {"round": 1, "mitre": 2, "bevel": 3}
    return LineString(points).buffer(w / 2, quad_segs=Q, cap_style=caps[cap], join_style=joins[join])


def arc_points(cx, cy, r, a0, a1, n=64):
    """Points on a circle from angle a0 to a1 (degrees, 0 = east, 90 = south: y is down)."""
    return [(cx + r * math.cos(math.radians(a0 + (a1 - a0) * i / n)),
             cy + r * math.sin(math.radians(a0 + (a1 - a0) * i / n))) for i in range(n + 1)]


def arc(cx, cy, r, a0, a1, w=W, cap="round"):
    return stroke(arc_points(cx, cy, r, a0, a1), w, cap)


def poly(*pts):
    return Polygon(pts)


def U(*shapes):
    return unary_union(shapes)


def cut(shape, *holes, gap=0.0):
    """`shape` less each hole, widened by `gap` all round."""
    for h in holes:
        shape = shape.difference(h.buffer(gap, quad_segs=Q) if gap else h)
    return shape


def fit(shape, margin=3.0):
    """Scaled about its centre (and moved) to fill the box less `margin`."""
    x0, y0, x1, y1 = shape.bounds
    k = (100 - 2 * margin) / max(x1 - x0, y1 - y0)
    shape = affinity.scale(shape, k, k, origin=((x0 + x1) / 2, (y0 + y1) / 2))
    x0, y0, x1, y1 = shape.bounds
    return affinity.translate(shape, 50 - (x0 + x1) / 2, 50 - (y0 + y1) / 2)


def heart(cx, cy, s):
    """A heart `s` wide, its dip at (cx, cy - 0.2 s)."""
    r = s * 0.27
    left = circle(cx - r * 0.95, cy - 0.12 * s, r)
    right = circle(cx + r * 0.95, cy - 0.12 * s, r)
    tip = poly((cx - 2 * r * 0.95 + 0.1, cy - 0.06 * s), (cx + 2 * r * 0.95 - 0.1, cy - 0.06 * s), (cx, cy + 0.5 * s))
    return U(left, right, tip).buffer(s * 0.02, quad_segs=Q).buffer(-s * 0.02, quad_segs=Q)


def shield(x0, y0, x1, y1):
    """A shield: flat top with rounded corners, sides down to a rounded point."""
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) / 2
    pts = [(x0, y0), (x1, y0), (x1, y0 + 0.45 * h)]
    # Right flank down to the tip, then back up the left: quadratic-like curve.
    n = 24
    for i in range(1, n + 1):
        t = i / n
        x = x1 + (cx - x1) * t
        y = y0 + 0.45 * h + (h * 0.55) * (t ** 0.8)
        pts.append((x + (w * 0.18) * math.sin(math.pi * t) * (1 - t), y))
    for i in range(n - 1, 0, -1):
        x, y = pts[3 + i - 1]
        pts.append((2 * cx - x, y))
    pts.append((x0, y0 + 0.45 * h))
    r = w * 0.08
    return Polygon(pts).buffer(-r, quad_segs=Q).buffer(r, quad_segs=Q)


def person(cx, top, s):
    """Head and shoulders, `s` = shoulder width."""
    head = circle(cx, top + s * 0.22, s * 0.22)
    body = rrect(cx - s / 2, top + s * 0.52, cx + s / 2, top + s * 1.1, s * 0.3)
    return U(head, cut(body, head, gap=G * 0.9))


# ---- the pictograms, by slogan file (slogans/<stem>.yaml) ----

def fanzha():  # phone with a shield on its screen
    body = rrect(22, 5, 78, 95, 11)
    screen = rrect(30, 15, 70, 80, 3)
    return U(cut(body, screen), shield(37, 27, 63, 68))


def shazhupan():  # a heart broken in two
    h = heart(50, 46, 88)
    crack = stroke([(52, 8), (44, 34), (56, 52), (46, 74), (50, 96)], G, cap="flat", join="mitre")
    return cut(h, crack)


def liangka():  # a bank card and a SIM card
    card = rrect(6, 16, 76, 64, 7)
    card = cut(card, box(6, 25, 76, 34))  # magnetic stripe as a gap
    card = cut(card, rrect(14, 42, 30, 54, 2))
    sim_outline = poly((56, 40), (84, 40), (94, 50), (94, 94), (56, 94))
    sim_outline = sim_outline.buffer(-3, quad_segs=Q).buffer(3, quad_segs=Q)
    sim = cut(sim_outline, sim_outline.buffer(-W, quad_segs=Q))
    sim_chip = rrect(71, 56, 79, 79, 3)
    return U(cut(card, sim_outline, gap=G), sim, sim_chip)


def wanggou():  # a shopping cart
    handle = stroke([(6, 18), (18, 18), (28, 64), (80, 64)], W)
    basket = poly((22, 28), (92, 28), (84, 56), (30, 56))
    basket = basket.buffer(-2, quad_segs=Q).buffer(2, quad_segs=Q)
    basket = cut(basket, box(40, 36, 48, 48), box(56, 36, 64, 48), box(72, 36, 78, 48))
    wheels = U(circle(36, 82, 8), circle(74, 82, 8))
    return U(handle, basket, wheels)


def wangluo():  # a monitor with a padlock on the screen
    frame = rrect(6, 10, 94, 72, 7)
    screen = rrect(14, 18, 86, 64, 2)
    stand = U(box(44, 70, 56, 84), rrect(28, 82, 72, 92, 4))
    lock_body = rrect(38, 38, 62, 58, 3)
    shackle = arc(50, 38, 8, 180, 360, 6, cap="flat")
    shackle = U(shackle, box(39, 37, 45, 40), box(55, 37, 61, 40))
    keyhole = circle(50, 47, 3.5)
    lock = U(cut(lock_body, keyhole), shackle)
    return U(cut(frame, screen), stand, lock)


def yanglao():  # a money bag with a ¥ in it
    bag = U(circle(50, 66, 30), poly((40, 20), (60, 20), (70, 46), (30, 46)))
    bag = cut(bag, box(0, 0, 100, 27))  # the tie, as a gap between the bag and its ruffle
    top = poly((28, 4), (72, 4), (60, 20), (40, 20)).buffer(-3, quad_segs=Q).buffer(3, quad_segs=Q)
    yen = U(stroke([(38, 48), (50, 63), (62, 48)], 6.5, join="round", cap="round"),
            stroke([(50, 63), (50, 89)], 6.5, cap="flat"),
            stroke([(37, 66), (63, 66)], 6.5, cap="round"),
            stroke([(37, 79.5), (63, 79.5)], 6.5, cap="round"))
    return U(cut(bag, yen), top)


def tanfan():  # a market stall with a scalloped awning
    roof = poly((10, 10), (90, 10), (96, 30), (4, 30))
    scallops = U(*[circle(4 + 11.5 * i + 5.75, 30, 5.75) for i in range(8)])
    awning = U(roof, scallops)
    awning = awning.intersection(box(0, 0, 100, 50))
    posts = U(box(12, 30, 20, 90), box(80, 30, 88, 90))
    counter = rrect(6, 60, 94, 72, 2)
    fruit = U(circle(32, 55, 6), circle(50, 55, 6), circle(68, 55, 6))
    return U(awning, posts, counter, fruit)


def jingcha110():  # a police beacon light with rays
    dome = U(circle(50, 52, 18), box(32, 52, 68, 72))
    base = rrect(22, 76, 78, 90, 4)
    lens = rrect(44, 46, 56, 64, 6)
    rays = U(stroke([(50, 8), (50, 22)]), stroke([(18, 26), (26, 34)]), stroke([(82, 26), (74, 34)]),
             stroke([(6, 54), (16, 54)]), stroke([(94, 54), (84, 54)]))
    return U(cut(dome, lens), base, rays)


def xiaoyuan():  # a school bag
    handle = arc(50, 20, 12, 180, 360, W)
    body = rrect(16, 20, 84, 96, 18)
    pocket = rrect(30, 56, 70, 82, 8)
    flap = stroke([(26, 46), (74, 46)], 6)
    return U(handle, cut(body, pocket.buffer(G / 2 + 3), flap.buffer(0.5)), pocket)


def gaokong():  # a tall building and an object falling past it
    tower = box(8, 6, 46, 96)
    windows = U(*[box(16 + 14 * c, 14 + 14 * r, 24 + 14 * c, 22 + 14 * r) for c in range(2) for r in range(5)])
    door = box(20, 84, 34, 96)
    bottle = U(rrect(62, 22, 78, 48, 5), box(66, 14, 74, 24))
    arrow = U(stroke([(70, 56), (70, 80)], W, cap="flat"), poly((58, 78), (82, 78), (70, 94)).buffer(1.5, quad_segs=Q))
    return U(cut(tower, windows, door), bottle, arrow)


def guoan():  # a shield with a check mark
    s = shield(14, 6, 86, 96)
    check = stroke([(32, 50), (45, 63), (69, 37)], 9, join="round")
    return cut(s, check)


def minzu():  # three people side by side, shoulder to shoulder
    mid = person(50, 14, 40)
    left = person(22, 30, 34)
    right = person(78, 30, 34)
    return U(mid, cut(U(left, right), mid, gap=G))


def qiangbao():  # a cartoon bomb: ball, cap, fuse and spark
    ball = circle(44, 60, 32)
    cap = rrect(50, 22, 68, 36, 3)
    cap = affinity.rotate(cap, 40, origin=(59, 29))
    fuse = stroke(arc_points(78, 26, 10, 170, 280, 24), 6)
    spark = U(*[stroke([(85 + 4 * math.cos(math.radians(a)), 14 + 4 * math.sin(math.radians(a))),
                         (85 + 10 * math.cos(math.radians(a)), 14 + 10 * math.sin(math.radians(a)))], 5.5)
                for a in (200, 270, 340, 45)])
    glint = arc(44, 60, 22, 200, 250, G)
    return U(cut(ball, glint), cap, fuse, spark)


def saohei():  # a broom, sweeping
    handle = stroke([(50, 2), (50, 46)], W)
    bind = rrect(36, 44, 64, 54, 3)
    head = poly((38, 58), (62, 58), (80, 98), (20, 98)).buffer(-2, quad_segs=Q).buffer(2, quad_segs=Q)
    head = cut(head, stroke([(40, 102), (45, 72)], G, cap="flat"), stroke([(60, 102), (55, 72)], G, cap="flat"))
    broom = affinity.rotate(U(handle, bind, head), -35, origin=(50, 50))
    return fit(broom)


def fangxiejiao():  # a light bulb
    bulb = U(circle(50, 40, 32), poly((30, 62), (70, 62), (62, 72), (38, 72)))
    inner = U(circle(50, 40, 32 - W), poly((36, 56), (64, 56), (57, 64), (43, 64)))
    glint = arc(50, 40, 14, 200, 260, 6)
    base = U(rrect(36, 79, 64, 86, 3), rrect(38, 92, 62, 98, 3))
    return U(cut(bulb, inner), glint, base)


def flame(cx, base, h, w, lean=0.0):
    """A flame: a round belly `w` wide and a tip `h` above the base, leaning right by `lean`."""
    r = w / 2
    belly = circle(cx, base - r, r)
    tip = Point(cx + lean, base - h)
    shape = U(belly, tip.buffer(0.5)).convex_hull
    return shape.buffer(-1, quad_segs=Q).buffer(1, quad_segs=Q)


def yongqi():  # a flame over a gas burner
    outer = U(flame(52, 64, 60, 46, 6), flame(30, 56, 36, 20, -10), flame(74, 54, 30, 16, 8))
    inner = flame(52, 56, 26, 18, 2)
    flames = cut(outer, inner)
    burner = rrect(6, 70, 94, 80, 4)
    legs = U(box(16, 80, 24, 94), box(76, 80, 84, 94))
    return U(flames, burner, legs)


def diandongche():  # a battery with a lightning bolt
    cell = rrect(6, 16, 84, 84, 8)
    inside = rrect(14, 24, 76, 76, 2)
    tip = rrect(82, 38, 94, 62, 3)
    bolt = poly((52, 31), (30, 54), (45, 54), (39, 69), (63, 45), (49, 45), (58, 31))
    bolt = bolt.buffer(1.5, quad_segs=Q)
    return U(cut(cell, inside), tip, bolt)


def xiaofang():  # a fire extinguisher
    body = rrect(28, 34, 64, 96, 12)
    label = rrect(36, 56, 56, 76, 3)
    neck = box(38, 26, 54, 36)
    head = rrect(30, 18, 62, 28, 3)
    lever = stroke([(36, 9), (60, 4)], 7)
    hose = stroke([(62, 20), (80, 22), (86, 36), (86, 60)], 7)
    nozzle = rrect(80, 58, 92, 76, 3)
    return U(cut(body, label), neck, head, lever, hose, nozzle)


def fangnishui():  # a life ring over waves
    r_out, r_in = 32, 14
    cx, cy = 50, 37
    ringshape = ring(cx, cy, r_out, r_in)
    for a in (45, 135):
        ringshape = cut(ringshape, affinity.rotate(box(cx - G / 2, cy - 50, cx + G / 2, cy + 50), a, origin=(cx, cy)))
    wave_pts = [(4 + 92 * i / 96, 87 + 4 * math.sin(2 * math.pi * (92 * i / 96) / 23)) for i in range(97)]
    waves = stroke(wave_pts, W)
    return U(ringshape, waves)


def fangdao():  # a padlock
    shackle = arc(50, 40, 21, 180, 360, 9, cap="flat")
    legs = U(box(24.5, 40, 33.5, 50), box(66.5, 40, 75.5, 50))
    body = rrect(16, 46, 84, 96, 8)
    keyhole = U(circle(50, 64, 7), poly((46, 66), (54, 66), (56, 84), (44, 84)))
    return U(shackle, legs, cut(body, keyhole))


def huji():  # an identity card: photo and lines
    card = rrect(4, 16, 96, 84, 8)
    inside = rrect(12, 24, 88, 76, 2)
    face = person(30, 32, 24)
    face = face.intersection(box(0, 0, 100, 68))
    bars = U(rrect(50, 34, 80, 41, 2), rrect(50, 48, 80, 55, 2), rrect(50, 62, 70, 69, 2))
    return U(cut(card, inside), face, bars)


def jiaotong():  # a cycle helmet: shell with vents, peak and chin strap
    shell = affinity.scale(circle(46, 64, 40), 1.0, 1.1, origin=(46, 64)).intersection(box(0, 0, 100, 64))
    vents = U(stroke([(28, 20), (40, 42)], G, cap="round"), stroke([(50, 14), (54, 40)], G, cap="round"))
    peak = stroke([(72, 50), (94, 58)], 10)
    rim = rrect(6, 58, 86, 66, 4)
    strap = stroke([(30, 66), (42, 90), (58, 66)], 6, join="round")
    return U(cut(shell, vents), peak, rim, cut(strap, rim.buffer(0)))


def jindu():  # a syringe broken in two
    needle = rrect(4, 47, 20, 53, 2)
    hub = rrect(16, 42, 26, 58, 2)
    barrel = rrect(24, 36, 68, 64, 3)
    flange = rrect(66, 30, 74, 70, 2)
    rod = box(72, 45, 86, 55)
    thumb = rrect(84, 36, 94, 64, 3)
    s = U(needle, hub, barrel, flange, rod, thumb)
    crack = affinity.rotate(box(46 - G / 2, 0, 46 + G / 2, 100), 20, origin=(46, 50))
    s = cut(s, crack)
    left = U(*[g for g in s.geoms if g.centroid.x < 46])
    right = U(*[g for g in s.geoms if g.centroid.x >= 46])
    left = affinity.translate(left, -3, 3)
    right = affinity.translate(right, 3, -3)
    both = affinity.rotate(U(left, right), -40, origin=(50, 50))
    return affinity.scale(both, 1.12, 1.12, origin=(50, 50))


def forearm(wrist, angle, length, w, cuff_w, cuff_len):
    """A forearm `w` wide from `wrist` out at `angle` (degrees, 0 = east, y down), then a gap and a
    wider cuff; returns (arm, cuff) and the wrist's two edge points, first the one on the left of
    the way out as seen on the page."""
    dx, dy = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    x, y = wrist
    arm = stroke([(x, y), (x + length * dx, y + length * dy)], w, cap="flat")
    c0, c1 = length + G, length + G + cuff_len
    cuff = stroke([(x + c0 * dx, y + c0 * dy), (x + c1 * dx, y + c1 * dy)], cuff_w, cap="flat")
    edges = ((x + dy * w / 2, y - dx * w / 2), (x - dy * w / 2, y + dx * w / 2))
    return arm, cuff, edges


def tiaojie():  # a handshake: two forearms with cuffs, the right hand's fingers over the left hand
    # The right hand (in front) shows its back and three folded fingers pointing left; the left
    # hand (behind) shows its edge left of those fingertips and its thumb arching over them.
    # `fit` scales this by 0.9: fingers 8.5 and their gaps 6.5 print 7.7 and 5.9.
    b_arm, b_cuff, (b_up, b_low) = forearm((70, 56), 50, 13, 18, 24, 14)
    a_arm, a_cuff, (a_low, a_up) = forearm((28, 60), 130, 13, 18, 24, 14)
    b_back = U(rrect(54, 24, 72, 66, 8), poly((64, 24), b_up, b_low))  # knuckles, tapering to the wrist
    # fingertips step right downwards, so the left hand widens into its wrist
    fingers = U(*[stroke([(x, y), (60, y)], 8.5) for x, y in ((36, 28.5), (39, 43.5), (43, 58.5))])
    b = U(b_back, b_arm, fingers)
    a_hand = U(circle(25, 35, 11), poly((25, 24), (48, 18), (48, 68), a_low, a_up, (14, 35)))
    thumb = stroke([(27, 24), (35, 13), (52, 13), (60, 17)], 9)  # lies on the right hand's knuckles
    a = cut(U(a_hand, a_arm), b, gap=G)
    return fit(U(a, cut(b, thumb, gap=G), thumb, a_cuff, b_cuff))


def fangguai():  # an adult and a child holding hands
    adult_head = circle(32, 14, 10)
    adult_body = rrect(18, 28, 46, 66, 10)
    adult_legs = U(rrect(18, 58, 29, 96, 5), rrect(36, 58, 46, 96, 5))
    child_head = circle(74, 44, 8)
    child_body = rrect(63, 56, 85, 80, 8)
    child_legs = U(rrect(64, 74, 72, 96, 4), rrect(76, 74, 84, 96, 4))
    arms = stroke([(44, 36), (58, 56), (65, 60)], 7.5)
    adult = U(adult_body, adult_legs)
    adult = cut(adult, adult_head, gap=G * 0.8)
    child = U(child_body, child_legs)
    child = cut(child, child_head, gap=G * 0.8)
    return U(adult_head, adult, child_head, child, arms)


def fanjiabao():  # a house with a heart inside
    roof = stroke([(6, 48), (50, 10), (94, 48)], 9, join="round")
    walls = cut(rrect(18, 40, 82, 94, 3), rrect(26, 46, 74, 86, 1))
    walls = cut(walls, roof, gap=G)
    love = heart(50, 65, 30)
    return U(roof, walls, love)


def fangxingqin():  # a raised open hand: stop
    palm = rrect(24, 44, 77, 90, 14)
    fingers = U(*[rrect(24 + 15 * i, y, 24 + 15 * i + 8, 56, 4) for i, y in enumerate((18, 8, 10, 20))])
    thumb = stroke([(72, 66), (88, 46)], 10)
    hand = U(palm, fingers, thumb)
    return hand


def dubo():  # two dice
    def die(x, y, s, pips):
        d = rrect(x, y, x + s, y + s, s * 0.18)
        r = s * 0.09
        pos = {1: [(0.5, 0.5)], 2: [(0.27, 0.27), (0.73, 0.73)], 3: [(0.25, 0.25), (0.5, 0.5), (0.75, 0.75)],
               5: [(0.25, 0.25), (0.75, 0.25), (0.5, 0.5), (0.25, 0.75), (0.75, 0.75)]}[pips]
        return cut(d, *[circle(x + s * u, y + s * v, r) for u, v in pos])
    a = affinity.rotate(die(8, 8, 50, 5), -12, origin=(33, 33))
    b = affinity.rotate(die(44, 44, 46, 3), 15, origin=(67, 67))
    return U(cut(a, b, gap=G), b)


PICTOGRAMS = {f.__name__: f for f in (
    fanzha, shazhupan, liangka, wanggou, wangluo, yanglao, tanfan, jingcha110, xiaoyuan, gaokong, guoan, minzu,
    qiangbao, saohei, fangxiejiao, yongqi, diandongche, xiaofang, fangnishui, fangdao, huji, jiaotong, jindu,
    tiaojie, fangguai, fanjiabao, fangxingqin, dubo)}


def fmt(v):
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def ring_d(coords):
    pts = list(coords)[:-1]
    return "M" + " L".join(f"{fmt(x)} {fmt(y)}" for x, y in pts) + " Z"


def path_data(shape):
    shape = shape.simplify(0.03)
    parts = list(shape.geoms) if isinstance(shape, MultiPolygon) else [shape]
    d = []
    for p in parts:
        if p.is_empty or p.area < 1:
            continue
        p = orient(p, sign=-1.0)  # outer clockwise on screen (y down), holes the other way
        d.append(ring_d(p.exterior.coords))
        d.extend(ring_d(i.coords) for i in p.interiors)
    return " ".join(d)


SOFT = 2.5  # every corner rounded to this radius: ink fills sharper ones anyway


def soften(shape):
    """Close then open by SOFT: cusps and notches narrower than 2 SOFT fill, slivers and tips drop."""
    shape = shape.buffer(SOFT, quad_segs=Q).buffer(-SOFT, quad_segs=Q)
    return shape.buffer(-SOFT, quad_segs=Q).buffer(SOFT, quad_segs=Q)


def thin_parts(shape, m):
    """What a check at m units would flag (morphological opening and closing): thin strokes, thin gaps."""
    strokes = shape.difference(shape.buffer(-m / 2, quad_segs=Q).buffer(m / 2, quad_segs=Q))
    gaps = shape.buffer(m / 2, quad_segs=Q).buffer(-m / 2, quad_segs=Q).difference(shape)
    return strokes.buffer(-0.3), gaps.buffer(-0.3)


def svg(name, shape):
    minx, miny, maxx, maxy = shape.bounds
    if minx < 0 or miny < 0 or maxx > 100 or maxy > 100:
        sys.exit(f"{name}: drawing leaves the 100 × 100 box: {shape.bounds}")
    return ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">\n'
            f'<path d="{path_data(shape)}"/>\n</svg>\n')


def main():
    out = Path(__file__).parent
    args = sys.argv[1:]
    # --check M: also list where strokes or gaps are narrower than M units.
    debug = float(args[args.index("--check") + 1]) if "--check" in args else 0
    only = {a for a in args if a in PICTOGRAMS}
    for name, f in PICTOGRAMS.items():
        if only and name not in only:
            continue
        shape = soften(f())
        (out / f"{name}.svg").write_text(svg(name, shape))
        if debug:
            strokes, gaps = thin_parts(shape, debug)
            for what, part in (("strokes", strokes), ("gaps", gaps)):
                if part.area > 0.5:
                    print(f"{name}: thin {what} near {[tuple(round(c) for c in g.centroid.coords[0]) for g in getattr(part, 'geoms', [part]) if g.area > 0.2]}")


if __name__ == "__main__":
    main()
