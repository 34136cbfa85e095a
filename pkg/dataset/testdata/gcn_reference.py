# Reference GCN / MLP accuracy on an OGB raw-layout folder, in PyTorch (no PyG
# needed): 2 layers, 64 hidden, dropout 0.5, Adam lr 0.01 wd 5e-4, 200 epochs,
# test accuracy at the best validation epoch, mean of 2 seeds. Used to tune
# dataset.DefaultSBM (docs/datasets.md). Usage:
#   /usr/bin/python3 gcn_reference.py DIR [SPLIT]
import sys, gzip, numpy as np, torch
torch.set_num_threads(1)
def rd(p, dtype=np.int64):
    return np.loadtxt(gzip.open(p), delimiter=',', dtype=dtype, ndmin=1)
d = sys.argv[1]
split = sys.argv[2] if len(sys.argv) > 2 else 'random'
e = rd(d+'/raw/edge.csv.gz').reshape(-1,2)
x = torch.tensor(np.loadtxt(gzip.open(d+'/raw/node-feat.csv.gz'), delimiter=',', dtype=np.float32))
y = torch.tensor(rd(d+'/raw/node-label.csv.gz'))
n = x.shape[0]
tr, va, te = [torch.tensor(rd(f'{d}/split/{split}/{s}.csv.gz')) for s in ('train','valid','test')]
src, dst = torch.tensor(e[:,0]), torch.tensor(e[:,1])
loop = torch.arange(n)
src = torch.cat([src, loop]); dst = torch.cat([dst, loop])
deg = torch.zeros(n).index_add_(0, dst, torch.ones(len(dst)))
w = deg[src].rsqrt() * deg[dst].rsqrt()
A = torch.sparse_coo_tensor(torch.stack([dst, src]), w, (n, n)).coalesce()
k = int(y.max())+1
def run(model_kind, seed):
    torch.manual_seed(seed)
    h = 64
    l1 = torch.nn.Linear(x.shape[1], h); l2 = torch.nn.Linear(h, k)
    opt = torch.optim.Adam(list(l1.parameters())+list(l2.parameters()), lr=0.01, weight_decay=5e-4)
    def fwd(train):
        z = x
        z = torch.nn.functional.dropout(z, 0.5, train)
        z = l1(z)
        if model_kind == 'gcn': z = torch.sparse.mm(A, z)
        z = torch.relu(z)
        z = torch.nn.functional.dropout(z, 0.5, train)
        z = l2(z)
        if model_kind == 'gcn': z = torch.sparse.mm(A, z)
        return z
    best_va, best_te = 0, 0
    for ep in range(200):
        opt.zero_grad()
        out = fwd(True)
        loss = torch.nn.functional.cross_entropy(out[tr], y[tr]); loss.backward(); opt.step()
        with torch.no_grad():
            p = fwd(False).argmax(1)
            a_va = (p[va]==y[va]).float().mean().item(); a_te = (p[te]==y[te]).float().mean().item()
            if a_va > best_va: best_va, best_te = a_va, a_te
    return best_te
for kind in ('gcn','mlp'):
    accs = [run(kind, s) for s in range(2)]
    print(f'{kind}: test acc {np.mean(accs):.4f} (runs {accs})')
